// Command floor is the floor of bench/server.sh: a bare net/http server
// that answers POST /v1/footprints by decoding the bid with encoding/json
// and encoding it back, and GET /healthz. No router, no middleware, no
// validation, no engine: what any JSON endpoint of the same bid costs at
// least, so that the script can print footprint's throughput as a ratio
// to it on the same machine in the same run.
//
//	floor [-addr 127.0.0.1:18180]
//
// It is a benchmark tool: it serves loopback until it is stopped.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"time"
)

// bid is the shape of the bid the benchmark posts (the fields of
// footprint's BidRequest that a 20-line bid uses).
type bid struct {
	Method    string `json:"method"`
	Reference string `json:"reference"`
	Supplier  string `json:"supplier"`
	Lines     []line `json:"lines"`
}

// line is one line of the bid; the quantity is kept as text.
type line struct {
	ID       string `json:"id"`
	Activity string `json:"activity"`
	Region   string `json:"region"`
	Quantity string `json:"quantity"`
	Unit     string `json:"unit"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18180", "listen address")
	flag.Parse()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/footprints", func(w http.ResponseWriter, r *http.Request) {
		var b bid
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&b); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(&b); err != nil {
			log.Print(err)
		}
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
