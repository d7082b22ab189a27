package server

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
)

// chartView is an SVG stacked bar chart of kg CO2e by life-cycle stage,
// one bar per method, drawn on the server (no script, no inline style:
// presentation attributes only, so the page's CSP holds).
type chartView struct {
	Width, Height int
	Title, Desc   string
	Bars          []chartBar
	Legend        []legendItem
	Empty         bool
	AxisY         int
}

type chartBar struct {
	X, Width     int
	LabelX       int
	Label, Total string
	TotalY       string
	Segments     []chartSegment
}

type chartSegment struct {
	Y, Height string
	Fill      string
	Title     string
}

type legendItem struct {
	Y     int
	Fill  string
	Label string
}

// stagePalette is the Okabe–Ito palette, distinguishable with colour
// vision deficiencies; the legend names every colour.
var stagePalette = [...]string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}

// Chart geometry, in SVG user units.
const (
	chartPlotTop    = 30
	chartPlotHeight = 240
	chartBarWidth   = 90
	chartBarGap     = 60
	chartLeft       = 40
)

// stageChart draws the by-stage totals of one or more reports. Heights are
// computed with decimals (value × height ÷ largest total, 2 places).
func stageChart(reports []*calc.Report) chartView {
	var stages []string
	colour := map[string]string{}
	largest := decimal.Zero
	for _, r := range reports {
		for _, st := range r.ByStage {
			if _, ok := colour[st.Stage]; !ok {
				colour[st.Stage] = stagePalette[len(stages)%len(stagePalette)]
				stages = append(stages, st.Stage)
			}
		}
		if t := r.Total.KgCO2e.Decimal(); t.Cmp(largest) > 0 {
			largest = t
		}
	}
	c := chartView{Height: chartPlotTop + chartPlotHeight + 50, AxisY: chartPlotTop + chartPlotHeight,
		Title: "Footprint by life-cycle stage, kg CO2e"}
	barsRight := chartLeft + len(reports)*(chartBarWidth+chartBarGap)
	c.Width = barsRight + 220
	desc := ""
	for i, r := range reports {
		ref := r.Method.ID + "@" + r.Method.Version
		x := chartLeft + i*(chartBarWidth+chartBarGap)
		bar := chartBar{X: x, Width: chartBarWidth, LabelX: x + chartBarWidth/2, Label: ref, Total: r.Total.KgCO2e.String()}
		y := decimal.NewFromInt(chartPlotTop + chartPlotHeight)
		for _, st := range r.ByStage {
			h := decimal.Zero
			if largest.IsPositive() {
				h = st.KgCO2e.Decimal().Mul(decimal.NewFromInt(chartPlotHeight)).DivRound(largest, 2)
			}
			y = y.Sub(h)
			bar.Segments = append(bar.Segments, chartSegment{Y: y.StringFixed(2), Height: h.StringFixed(2), Fill: colour[st.Stage],
				Title: fmt.Sprintf("%s, %s: %s kg CO2e", ref, st.Stage, st.KgCO2e.String())})
		}
		bar.TotalY = y.Sub(decimal.NewFromInt(6)).StringFixed(2)
		c.Bars = append(c.Bars, bar)
		desc += fmt.Sprintf("%s: total %s kg CO2e. ", ref, bar.Total)
	}
	for i, st := range stages {
		c.Legend = append(c.Legend, legendItem{Y: chartPlotTop + i*22, Fill: colour[st], Label: st})
	}
	c.Empty = !largest.IsPositive()
	c.Desc = desc + "The tables below give every value."
	return c
}

// LegendX is where the legend starts.
func (c chartView) LegendX() int { return c.Width - 200 }

// causeChart is an SVG bar chart of one pair's attribution: one horizontal
// bar per cause, growing right (adds kg CO2e) or left (removes it) from a
// zero line.
type causeChart struct {
	Width, Height, AxisY, RowH int
	ZeroX, LabelRight          int
	Title                      string
	Rows                       []causeRow
}

type causeRow struct {
	Cause, Value           string
	X, Y, W, TextY, ValueX string
	Fill, Anchor           string
}

// Cause chart geometry, in SVG user units.
const (
	causeLabelWidth = 170
	causeHalfWidth  = 260
	causeRowHeight  = 22
	causeRowGap     = 10
)

func attributionChart(p calc.ReportedPair) causeChart {
	c := causeChart{RowH: causeRowHeight, LabelRight: causeLabelWidth - 10, ZeroX: causeLabelWidth + causeHalfWidth,
		Title: fmt.Sprintf("%s minus %s by cause, kg CO2e", p.Other, p.Base)}
	c.Width = causeLabelWidth + 2*causeHalfWidth + 90
	largest := decimal.Zero
	for _, a := range p.Attribution {
		if v := a.KgCO2e.Decimal().Abs(); v.Cmp(largest) > 0 {
			largest = v
		}
	}
	zero := decimal.NewFromInt(int64(c.ZeroX))
	for i, a := range p.Attribution {
		v := a.KgCO2e.Decimal()
		w := decimal.Zero
		if largest.IsPositive() {
			w = v.Abs().Mul(decimal.NewFromInt(causeHalfWidth)).DivRound(largest, 2)
		}
		y := 10 + i*(causeRowHeight+causeRowGap)
		row := causeRow{Cause: a.Cause, Value: a.KgCO2e.String(), Y: fmt.Sprint(y), W: w.StringFixed(2), TextY: fmt.Sprint(y + 15),
			Fill: "#0072B2", Anchor: "start", X: zero.StringFixed(2), ValueX: zero.Add(w).Add(decimal.NewFromInt(4)).StringFixed(2)}
		if v.IsNegative() {
			row.Fill, row.Anchor = "#D55E00", "end"
			row.X = zero.Sub(w).StringFixed(2)
			row.ValueX = zero.Sub(w).Sub(decimal.NewFromInt(4)).StringFixed(2)
		}
		c.Rows = append(c.Rows, row)
	}
	c.AxisY = 10 + len(p.Attribution)*(causeRowHeight+causeRowGap)
	c.Height = c.AxisY + 10
	return c
}
