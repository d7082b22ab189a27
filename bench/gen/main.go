// Command gen writes a realistic batch CSV of procurement lines to stdout
// (see calc/batch/batchgen): gen [-rows N] [-seed S] [-profile us|eu|mixed] [-bad PERMILLE].
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/footprint-gpp/footprint/calc/batch/batchgen"
)

func main() {
	rows := flag.Int("rows", 1000000, "data rows")
	seed := flag.Uint64("seed", 1, "random seed")
	profile := flag.String("profile", "us", "us, eu or mixed")
	bad := flag.Int("bad", 20, "bad rows per thousand")
	flag.Parse()
	if err := batchgen.Write(os.Stdout, batchgen.Config{Rows: *rows, Seed: *seed, Profile: batchgen.Profile(*profile), BadPerMille: *bad}); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
