package server

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/tender"
)

// The probability chart of a tender's uncertainty report: one horizontal
// bar per ranked bid (the first probChartMax in the legal order; the
// table gives every bid), its length the bid's probability of ranking
// first, with the tender's too-close-to-call threshold drawn as a dashed
// line. Drawn as the other charts are (chart.go): SVG at its natural
// size, presentation attributes only, 340 px wide so that it is read
// unscaled on a 390 px phone. Each bar's label sits on its own line
// above the bar, so no label can overlap a bar or another label.

// probChart is the laid-out chart.
type probChart struct {
	Width, Height int
	Title, Desc   string
	PlotL, PlotR  int
	PlotT, PlotB  int
	PlotW         int
	Font          int
	// ThresholdX is the threshold line's x, ThresholdLabel its label
	// (above the plot), ThresholdLabelX where it starts.
	ThresholdX      string
	ThresholdLabel  string
	ThresholdLabelX string
	ThresholdLabelY int
	Rows            []probRow
	// More is how many ranked bids are left out of the chart.
	More int
}

type probRow struct {
	Label       string
	LabelY      int
	BarY, BarH  int
	BarW        string
	Value       string
	ValueX      int
	ValueY      int
	Title       string
	BelowThresh bool
}

// Probability chart geometry, in SVG user units (CSS px at natural size).
const (
	pcWidth      = 340
	pcPlotL      = 10
	pcPlotR      = 270 // bars end here at probability 1
	pcValueX     = 278
	pcTop        = 30 // room for the threshold label
	pcRow        = 40 // label line + bar + gap
	pcBarH       = 14
	pcFont       = 12
	pcLabelMax   = 300 // widest label, px
	probChartMax = 10
)

// probabilityChart lays out the chart of ev's uncertainty report; nil
// without one or without a ranked bid.
func probabilityChart(ev *tender.Evaluation) *probChart {
	u := ev.Uncertainty
	if u == nil {
		return nil
	}
	var ranked []*tender.Ranked
	for i := range ev.Ranking {
		if ev.Ranking[i].Rank != nil && ev.Ranking[i].PFirst != "" {
			ranked = append(ranked, &ev.Ranking[i])
		}
	}
	if len(ranked) == 0 {
		return nil
	}
	c := &probChart{Width: pcWidth, PlotL: pcPlotL, PlotR: pcPlotR, PlotW: pcPlotR - pcPlotL, PlotT: pcTop, Font: pcFont,
		Title: "Probability of ranking first, one bar per ranked bid"}
	if len(ranked) > probChartMax {
		c.More = len(ranked) - probChartMax
		ranked = ranked[:probChartMax]
	}
	th, err := decimal.NewFromString(u.Threshold)
	if err != nil {
		th = decimal.NewFromInt(1)
	}
	plotW := decimal.NewFromInt(pcPlotR - pcPlotL)
	c.ThresholdX = decimal.NewFromInt(pcPlotL).Add(plotW.Mul(th)).StringFixed(2)
	c.ThresholdLabel = "threshold " + u.Threshold
	tx, _ := strconv.ParseFloat(c.ThresholdX, 64)
	lw := textWidth(c.ThresholdLabel, pcFont, false)
	lx := tx - lw/2
	lx = max(lx, float64(pcPlotL))
	lx = min(lx, float64(pcWidth)-2-lw)
	c.ThresholdLabelX = strconv.FormatFloat(lx, 'f', 2, 64)
	c.ThresholdLabelY = pcTop - 10
	var parts []string
	for i, r := range ranked {
		p, err := decimal.NewFromString(r.PFirst)
		if err != nil {
			p = decimal.Zero
		}
		top := pcTop + 6 + i*pcRow
		label := fmt.Sprintf("#%d %s", *r.Rank, r.Supplier)
		for textWidth(label, pcFont, false) > pcLabelMax && len([]rune(label)) > 4 {
			rs := []rune(strings.TrimSuffix(label, "…"))
			label = string(rs[:len(rs)-1]) + "…"
		}
		row := probRow{Label: label, LabelY: top + pcFont, BarY: top + pcFont + 4, BarH: pcBarH,
			BarW: plotW.Mul(p).StringFixed(2), Value: r.PFirst, ValueX: pcValueX, BelowThresh: p.LessThan(th)}
		row.ValueY = row.BarY + pcBarH - 2
		row.Title = fmt.Sprintf("#%d %s: P(first) %s", *r.Rank, r.Supplier, r.PFirst)
		c.Rows = append(c.Rows, row)
		parts = append(parts, fmt.Sprintf("#%d %s: %s", *r.Rank, r.Supplier, r.PFirst))
	}
	c.PlotB = pcTop + len(c.Rows)*pcRow + 4
	c.Height = c.PlotB + 8
	c.Desc = "Probability of ranking first over " + strconv.Itoa(u.Draws) + " draws: " + strings.Join(parts, "; ") + "; threshold " + u.Threshold + "."
	if len(c.Desc) > 2000 {
		c.Desc = c.Desc[:2000] + "…"
	}
	return c
}
