// Package batchgen generates realistic batch CSV files of procurement lines
// for tests and benchmarks: fuels, grid electricity by US eGRID subregion
// and EU member state, freight, and materials with EPD values, with a share
// of bad rows of every kind. The same seed gives the same file.
package batchgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
)

// Profile selects the mix of lines.
type Profile string

// Profiles.
const (
	// US lines, for us-federal.
	US Profile = "us"
	// EU lines, for eu-gpp.
	EU Profile = "eu"
	// Mixed is half US, half EU lines (for runs with both methods).
	Mixed Profile = "mixed"
)

// Config is what to generate.
type Config struct {
	Rows    int
	Seed    uint64
	Profile Profile
	// BadPerMille is the share of deliberately bad rows, in ‰ (10 = 1%).
	BadPerMille int
}

// Header is the header row written by Write.
const Header = "line_id,supplier,description,activity,region,quantity,unit,stage,factor_kg_co2e,factor_per,factor_reference,cost_centre"

type kind struct {
	activity string
	regions  []string
	units    []string
	desc     string
	epd      bool // needs factor_kg_co2e/per/reference
	per      string
	epdMin   int // kg CO2e per unit range for EPD values
	epdMax   int
	qmax     int
	weight   int
}

func usKinds() []kind {
	us := []string{"US"}
	grid := []string{"US", "US-AKGD", "US-AZNM", "US-CAMX", "US-ERCT", "US-FRCC", "US-MROE", "US-MROW", "US-NEWE", "US-NWPP", "US-NYCW",
		"US-NYLI", "US-NYUP", "US-RFCE", "US-RFCM", "US-RFCW", "US-RMPA", "US-SPNO", "US-SPSO", "US-SRMV", "US-SRMW", "US-SRSO", "US-SRTV", "US-SRVC"}
	return []kind{
		{activity: "fuel.natural_gas", regions: us, units: []string{"mmBtu", "scf", "therm"}, desc: "Natural gas, heating", qmax: 500000, weight: 12},
		{activity: "fuel.diesel", regions: us, units: []string{"gal", "mmBtu"}, desc: "Diesel, generators", qmax: 20000, weight: 10},
		{activity: "fuel.gasoline", regions: us, units: []string{"gal"}, desc: "Fleet gasoline", qmax: 20000, weight: 6},
		{activity: "fuel.lpg", regions: us, units: []string{"gal"}, desc: "Propane", qmax: 5000, weight: 3},
		{activity: "fuel.residual_oil", regions: us, units: []string{"gal"}, desc: "Heavy fuel oil", qmax: 5000, weight: 1},
		{activity: "electricity.grid", regions: grid, units: []string{"kWh", "MWh"}, desc: "Facility electricity", qmax: 2000000, weight: 30},
		{activity: "heat.steam", regions: us, units: []string{"mmBtu"}, desc: "District steam", qmax: 10000, weight: 2},
		{activity: "freight.road", regions: us, units: []string{"short_ton.mi", "t.km"}, desc: "Trucking", qmax: 100000, weight: 12},
		{activity: "freight.rail", regions: us, units: []string{"short_ton.mi"}, desc: "Rail freight", qmax: 500000, weight: 4},
		{activity: "material.concrete.fc_4000psi", regions: us, units: []string{"m3"}, desc: "Ready-mix 4000 psi", epd: true, per: "m3", epdMin: 250, epdMax: 450, qmax: 5000, weight: 8},
		{activity: "material.steel.rebar", regions: us, units: []string{"t", "short_ton"}, desc: "Rebar", epd: true, per: "t", epdMin: 600, epdMax: 1200, qmax: 2000, weight: 6},
		{activity: "material.glass.flat", regions: us, units: []string{"kg"}, desc: "Float glass", epd: true, per: "kg", epdMin: 1, epdMax: 2, qmax: 50000, weight: 2},
	}
}

func euKinds() []kind {
	eu := []string{"AT", "BE", "BG", "CZ", "DE", "DK", "ES", "FI", "FR", "GR", "HU", "IE", "IT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
	return []kind{
		{activity: "fuel.natural_gas", regions: []string{"GLO", "DE", "FR"}, units: []string{"GJ", "MJ", "TJ"}, desc: "Erdgas / gaz naturel", qmax: 50000, weight: 10},
		{activity: "fuel.diesel", regions: []string{"GLO", "DE"}, units: []string{"GJ", "t"}, desc: "Diesel", qmax: 5000, weight: 8},
		{activity: "electricity.grid", regions: eu, units: []string{"kWh", "MWh"}, desc: "Strom / électricité", qmax: 2000000, weight: 35},
		{activity: "freight.road", regions: []string{"DE"}, units: []string{"t.km"}, desc: "Straßengüterverkehr", qmax: 100000, weight: 12},
		{activity: "freight.rail", regions: []string{"DE"}, units: []string{"t.km"}, desc: "Schienengüterverkehr", qmax: 100000, weight: 5},
		{activity: "material.concrete.c30_37", regions: []string{"DE"}, units: []string{"m3"}, desc: "Beton C30/37", qmax: 5000, weight: 10},
		{activity: "material.steel.rebar", regions: []string{"DE"}, units: []string{"kg", "t"}, desc: "Betonstahl", qmax: 200000, weight: 8},
		{activity: "material.steel.section", regions: []string{"DE"}, units: []string{"t"}, desc: "Stahlprofil (EPD)", epd: true, per: "t", epdMin: 500, epdMax: 1500, qmax: 2000, weight: 6},
	}
}

func badRow(r *rand.Rand, rec []string) {
	switch r.IntN(8) {
	case 0:
		rec[5] = "12,5" // decimal comma
	case 1:
		rec[6] = "kgg" // unknown unit
	case 2:
		rec[6] = "kg" // wrong dimension for most activities
		rec[3] = "electricity.grid"
	case 3:
		rec[3] = "fuel.unobtainium" // unknown activity
	case 4:
		rec[5] = "-" + rec[5] // negative
	case 5:
		rec[4] = "" // missing region
	case 6:
		rec[4] = "XX" // unknown region
	case 7:
		rec[5] = "" // missing quantity
	}
}

// Write writes the header and c.Rows rows.
func Write(w io.Writer, c Config) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	r := rand.New(rand.NewPCG(c.Seed, 0x9e3779b97f4a7c15))
	var kinds []kind
	switch c.Profile {
	case EU:
		kinds = euKinds()
	case Mixed:
		kinds = append(usKinds(), euKinds()...)
	default:
		kinds = usKinds()
	}
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	suppliers := []string{"ACME Construction", "Globex, Inc.", "Initech", "Umbrella \"Bio\" Energy", "Stark Logistics", "Müller Bau GmbH", "Énergie Nord SA"}
	fmt.Fprintln(bw, Header)
	rec := make([]string, 12)
	var buf []byte
	for i := 0; i < c.Rows; i++ {
		x := r.IntN(total)
		var k kind
		for _, kk := range kinds {
			if x < kk.weight {
				k = kk
				break
			}
			x -= kk.weight
		}
		rec[0] = "L" + strconv.Itoa(i+1)
		rec[1] = suppliers[r.IntN(len(suppliers))]
		rec[2] = k.desc
		rec[3] = k.activity
		rec[4] = k.regions[r.IntN(len(k.regions))]
		// quantities with 0 to 3 decimals, as ledgers have them
		q := r.IntN(k.qmax*100) + 1
		switch r.IntN(4) {
		case 0:
			rec[5] = strconv.Itoa(q / 100)
		case 1:
			rec[5] = strconv.Itoa(q/100) + "." + strconv.Itoa(q%10)
		case 2:
			rec[5] = fmt.Sprintf("%d.%02d", q/100, q%100)
		default:
			rec[5] = fmt.Sprintf("%d.%03d", q/100, r.IntN(1000))
		}
		rec[6] = k.units[r.IntN(len(k.units))]
		rec[7] = ""
		rec[8], rec[9], rec[10] = "", "", ""
		if k.epd {
			v := k.epdMin + r.IntN(k.epdMax-k.epdMin+1)
			rec[8] = fmt.Sprintf("%d.%d", v, r.IntN(10))
			rec[9] = k.per
			rec[10] = fmt.Sprintf("EPD S-P-%05d", r.IntN(400))
		}
		rec[11] = fmt.Sprintf("CC-%03d", r.IntN(50))
		if c.BadPerMille > 0 && r.IntN(1000) < c.BadPerMille {
			badRow(r, rec)
		}
		buf = buf[:0]
		for j, s := range rec {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = appendCSV(buf, s)
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func appendCSV(dst []byte, s string) []byte {
	need := false
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r' {
			need = true
			break
		}
	}
	if !need {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}
