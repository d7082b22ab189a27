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
