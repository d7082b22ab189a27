// Command csvcopy is the baseline of bench/batch.sh: it reads a CSV with
// encoding/csv (ReuseRecord) and writes every record back with csv.Writer —
// the least any CSV-to-CSV tool must do. csvcopy in.csv > out.csv
package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "csvcopy:", err)
		os.Exit(1)
	}
}

func run() error {
	in := io.Reader(os.Stdin)
	if len(os.Args) > 1 {
		f, err := os.Open(os.Args[1])
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	r := csv.NewReader(bufio.NewReaderSize(in, 256<<10))
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	bw := bufio.NewWriterSize(os.Stdout, 256<<10)
	w := csv.NewWriter(bw)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
