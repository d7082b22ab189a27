package server

import (
	"fmt"
	"math"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
)

// The charts are SVG drawn on the server (no script, no inline style:
// presentation attributes only, so the page's CSP holds). They are laid
// out to be shown at their natural size, never scaled down, so that their
// text keeps its size on a phone (chartFontMin and up): the layouts below
// are narrow enough for a 390 px screen with the usual labels, and a
// wider chart scrolls inside its own figure instead of shrinking. Labels
// are placed in bands that bars never enter, and every label's width is
// estimated generously (textWidth) to size the chart, so that no two
// labels overlap whatever the values.

// chartFontMin is the smallest font size of chart text, in CSS px.
const chartFontMin = 12

// chartView is an SVG stacked bar chart of kg CO2e by life-cycle stage,
// one bar per method, with its legend below the bars.
type chartView struct {
	Width, Height int
	Title, Desc   string
	Bars          []chartBar
	Legend        []legendItem
	Empty         bool
	AxisY         int
	// LabelY is the baseline of the method labels under the axis.
	LabelY int
	// LegendX is where the legend's swatches start, LegendTextX its labels.
	LegendX, LegendTextX int
	// Swatch is the side of a legend's colour square.
	Swatch int
	// LabelFont and TotalFont are the font sizes of the labels (method,
	// legend) and of the totals above the bars.
	LabelFont, TotalFont int
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
	Y     int // top of the swatch
	TextY int // baseline of the label
	Fill  string
	Label string
}

// stagePalette is the Okabe–Ito palette, distinguishable with colour
// vision deficiencies; the legend names every colour.
var stagePalette = [...]string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}

// Stage chart geometry, in SVG user units (CSS px at natural size).
const (
	chartPad        = 10  // margin on each side
	chartPlotTop    = 30  // room above the tallest bar for its total
	chartPlotHeight = 220 // height of the tallest bar
	chartBarWidth   = 90
	chartSlotMin    = 150 // horizontal room per bar, at least
	chartLabelFont  = 12  // method label under a bar, legend
	chartTotalFont  = 13  // bold total above a bar
	chartLegendRow  = 22
	chartSwatch     = 14
)

// stageChart draws the by-stage totals of one or more reports. Heights are
// computed with decimals (value × height ÷ largest total, 2 places).
func stageChart(reports []*calc.Report) chartView {
	var stages []string
	colour := map[string]string{}
	largest := decimal.Zero
	slot := float64(chartSlotMin)
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
		ref := r.Method.ID + "@" + r.Method.Version
		slot = math.Max(slot, textWidth(ref, chartLabelFont, false)+16)
		slot = math.Max(slot, textWidth(r.Total.KgCO2e.String(), chartTotalFont, true)+16)
	}
	slotW := int(math.Ceil(slot))
	c := chartView{AxisY: chartPlotTop + chartPlotHeight, LabelY: chartPlotTop + chartPlotHeight + 20,
		LegendX: chartPad, LegendTextX: chartPad + chartSwatch + 6, Swatch: chartSwatch, Title: "Footprint by life-cycle stage, kg CO2e",
		LabelFont: chartLabelFont, TotalFont: chartTotalFont}
	c.Width = 2*chartPad + len(reports)*slotW
	desc := ""
	for i, r := range reports {
		ref := r.Method.ID + "@" + r.Method.Version
		cx := chartPad + i*slotW + slotW/2
		bar := chartBar{X: cx - chartBarWidth/2, Width: chartBarWidth, LabelX: cx, Label: ref, Total: r.Total.KgCO2e.String()}
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
	legendTop := c.AxisY + 36
	for i, st := range stages {
		y := legendTop + i*chartLegendRow
		c.Legend = append(c.Legend, legendItem{Y: y, TextY: y + 12, Fill: colour[st], Label: st})
		c.Width = max(c.Width, int(math.Ceil(chartPad+chartSwatch+6+textWidth(st, chartLabelFont, false)))+chartPad)
	}
	c.Height = legendTop + len(stages)*chartLegendRow + 4
	c.Empty = !largest.IsPositive()
	c.Desc = desc + "The tables below give every value."
	return c
}

// textBoxes are the boxes of the chart's labels, as the template places
// them: totals above the bars, method labels under the axis, the legend.
func (c chartView) textBoxes() []textBox {
	var out []textBox
	for _, b := range c.Bars {
		ty, _ := decimal.NewFromString(b.TotalY)
		out = append(out, placeText(b.Total, float64(b.LabelX), ty.InexactFloat64(), "middle", float64(c.TotalFont), true))
		out = append(out, placeText(b.Label, float64(b.LabelX), float64(c.LabelY), "middle", float64(c.LabelFont), false))
	}
	for _, l := range c.Legend {
		out = append(out, placeText(l.Label, float64(c.LegendTextX), float64(l.TextY), "start", float64(c.LabelFont), false))
	}
	return out
}

// causeChart is an SVG bar chart of one pair's attribution: per cause a
// line of text (the cause at the left, its value right-aligned at the
// right), and under it a bar growing right (adds kg CO2e) or left
// (removes it) from a zero line in the middle. Text and bars sit in
// separate bands, so a bar filling its side never meets a label.
type causeChart struct {
	Width, Height  int
	ZeroX          int
	AxisTop, AxisY int
	BarH           int
	LabelX, ValueX int
	// Font is the font size of the causes and their values.
	Font  int
	Title string
	Rows  []causeRow
}

type causeRow struct {
	Cause, Value string
	X, W         string
	BarY, TextY  int
	Fill         string
}

// Cause chart geometry, in SVG user units (CSS px at natural size).
const (
	causeFont     = 13
	causeMinWidth = 320 // fits a 390 px phone's content column
	causeGap      = 16  // least room between a cause and its value
	causeTextH    = 18  // text band of a row
	causeBarH     = 16  // bar band of a row
	causeRowGap   = 10
)

func attributionChart(p calc.ReportedPair) causeChart {
	c := causeChart{BarH: causeBarH, LabelX: chartPad, AxisTop: chartPad, Font: causeFont, Title: fmt.Sprintf("%s minus %s by cause, kg CO2e", p.Other, p.Base)}
	need := float64(causeMinWidth)
	largest := decimal.Zero
	for _, a := range p.Attribution {
		if v := a.KgCO2e.Decimal().Abs(); v.Cmp(largest) > 0 {
			largest = v
		}
		need = math.Max(need, 2*chartPad+textWidth(a.Cause, causeFont, false)+causeGap+textWidth(a.KgCO2e.String(), causeFont, true))
	}
	// An even width puts the zero line on a whole unit.
	c.Width = int(math.Ceil(need/2)) * 2
	c.ZeroX = c.Width / 2
	c.ValueX = c.Width - chartPad
	half := decimal.NewFromInt(int64(c.ZeroX - chartPad))
	zero := decimal.NewFromInt(int64(c.ZeroX))
	top := chartPad
	for _, a := range p.Attribution {
		v := a.KgCO2e.Decimal()
		w := decimal.Zero
		if largest.IsPositive() {
			w = v.Abs().Mul(half).DivRound(largest, 2)
		}
		row := causeRow{Cause: a.Cause, Value: a.KgCO2e.String(), TextY: top + causeTextH - 5, BarY: top + causeTextH,
			W: w.StringFixed(2), X: zero.StringFixed(2), Fill: "#0072B2"}
		if v.IsNegative() {
			row.Fill, row.X = "#D55E00", zero.Sub(w).StringFixed(2)
		}
		c.Rows = append(c.Rows, row)
		top += causeTextH + causeBarH + causeRowGap
	}
	c.AxisY = top - causeRowGap + 4
	c.Height = c.AxisY + chartPad
	return c
}

// textBoxes are the boxes of the chart's labels, as the template places them.
func (c causeChart) textBoxes() []textBox {
	var out []textBox
	for _, r := range c.Rows {
		out = append(out, placeText(r.Cause, float64(c.LabelX), float64(r.TextY), "start", float64(c.Font), false))
		out = append(out, placeText(r.Value, float64(c.ValueX), float64(r.TextY), "end", float64(c.Font), true))
	}
	return out
}

// barBoxes are the boxes of the chart's bars.
func (c causeChart) barBoxes() []textBox {
	var out []textBox
	for _, r := range c.Rows {
		x, _ := decimal.NewFromString(r.X)
		w, _ := decimal.NewFromString(r.W)
		out = append(out, textBox{Text: r.Cause + " bar", Left: x.InexactFloat64(), Right: x.Add(w).InexactFloat64(),
			Top: float64(r.BarY), Bott: float64(r.BarY + c.BarH)})
	}
	return out
}

// textBox is the estimated extent of a label, in SVG user units.
type textBox struct {
	Text                   string
	Left, Top, Right, Bott float64
}

func (a textBox) overlaps(b textBox) bool {
	return a.Left < b.Right && b.Left < a.Right && a.Top < b.Bott && b.Top < a.Bott
}

// placeText is the box of a text drawn at (x, baseline y) with the given
// text-anchor: an em box from 0.8 em above the baseline to 0.25 em below.
func placeText(s string, x, y float64, anchor string, size float64, bold bool) textBox {
	w := textWidth(s, size, bold)
	left := x
	switch anchor {
	case "middle":
		left = x - w/2
	case "end":
		left = x - w
	}
	return textBox{Text: s, Left: left, Right: left + w, Top: y - 0.8*size, Bott: y + 0.25*size}
}

// textWidth estimates the rendered width of s in a sans-serif face at
// size px, on the generous side: per character class an advance at least
// that of common system faces (Roboto, DejaVu Sans, Segoe UI, Helvetica),
// 10 % more when bold. Layouts sized with it leave room rather than overlap.
func textWidth(s string, size float64, bold bool) float64 {
	em := 0.0
	for _, r := range s {
		switch {
		case r == ' ':
			em += 0.33
		case r == 'i' || r == 'j' || r == 'l' || r == '.' || r == ',' || r == ':' || r == ';' || r == '\'' || r == '|' || r == '!':
			em += 0.32
		case r == 'f' || r == 't' || r == 'r' || r == 'I' || r == '(' || r == ')' || r == '-' || r == '/':
			em += 0.45
		case r == 'm' || r == 'w' || r == 'M' || r == 'W' || r == '@' || r == '%' || r == '→' || r == '—':
			em += 1.0
		case r >= 'A' && r <= 'Z':
			em += 0.78
		case r >= '0' && r <= '9':
			em += 0.64
		case r < 0x80:
			em += 0.64
		default:
			em += 1.0
		}
	}
	if bold {
		em *= 1.1
	}
	return em * size
}
