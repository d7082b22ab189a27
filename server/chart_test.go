package server

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/methods"
)

var threePlaces = methods.Rounding{Places: 3, Mode: "half_even", DivisionPlaces: 18}

func fixed(t *testing.T, s string) calc.Fixed {
	t.Helper()
	return calc.NewFixed(decimal.RequireFromString(s), threePlaces)
}

// pair is an attribution with the five causes and the given values.
func pair(t *testing.T, values ...string) calc.ReportedPair {
	t.Helper()
	causes := []string{"boundary", "region_fallback", "heating_value_basis", "factor_values", "gwp_set"}
	p := calc.ReportedPair{Base: "us-federal@2025.1", Other: "eu-gpp@2025.1"}
	for i, v := range values {
		p.Attribution = append(p.Attribution, calc.ReportedCause{Cause: causes[i%len(causes)], KgCO2e: fixed(t, v)})
	}
	return p
}

// checkBoxes fails on any two overlapping boxes and on any box outside
// the chart.
func checkBoxes(t *testing.T, boxes []textBox, width, height int) {
	t.Helper()
	for i, a := range boxes {
		if a.Left < 0 || a.Right > float64(width) || a.Top < 0 || a.Bott > float64(height) {
			t.Errorf("%q at [%.1f, %.1f]×[%.1f, %.1f] leaves the %d×%d chart", a.Text, a.Left, a.Right, a.Top, a.Bott, width, height)
		}
		for _, b := range boxes[i+1:] {
			if a.overlaps(b) {
				t.Errorf("%q [%.1f, %.1f]×[%.1f, %.1f] overlaps %q [%.1f, %.1f]×[%.1f, %.1f]",
					a.Text, a.Left, a.Right, a.Top, a.Bott, b.Text, b.Left, b.Right, b.Top, b.Bott)
			}
		}
	}
}

func TestAttributionChartLabelsNeverOverlap(t *testing.T) {
	tests := []struct {
		name   string
		values []string
	}{
		{"a long negative value fills its side", []string{"-5311349446.886", "0", "0", "-15822.029", "42.725"}},
		{"a long positive value fills its side", []string{"5311349446.886", "0", "0", "-15822.029", "42.725"}},
		{"both sides full", []string{"-999999999999999.999", "999999999999999.999", "-0.001", "0.001", "0"}},
		{"every cause at the extreme", []string{"-999999999999999.999", "-999999999999999.999", "-999999999999999.999", "-999999999999999.999", "-999999999999999.999"}},
		{"all zero", []string{"0", "0", "0", "0", "0"}},
		{"one cause", []string{"-1"}},
		{"a cause name repeated past the five", []string{"1", "-2", "3", "-4", "5", "-6", "7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := attributionChart(pair(t, tt.values...))
			if c.Font < chartFontMin {
				t.Errorf("font %d px, under %d px", c.Font, chartFontMin)
			}
			texts, bars := c.textBoxes(), c.barBoxes()
			checkBoxes(t, append(append([]textBox{}, texts...), bars...), c.Width, c.Height)
			largest := 0.0
			for i, b := range bars {
				v := decimal.RequireFromString(tt.values[i])
				if b.Left < chartPad || b.Right > float64(c.Width-chartPad) {
					t.Errorf("bar %d [%.2f, %.2f] outside [%d, %d]", i, b.Left, b.Right, chartPad, c.Width-chartPad)
				}
				switch {
				case v.IsNegative() && b.Right != float64(c.ZeroX), v.IsPositive() && b.Left != float64(c.ZeroX):
					t.Errorf("bar %d (%s) does not start at the zero line %d: [%.2f, %.2f]", i, v, c.ZeroX, b.Left, b.Right)
				}
				largest = max(largest, b.Right-b.Left)
			}
			if half := float64(c.ZeroX - chartPad); largest != 0 && largest != half {
				t.Errorf("the largest bar is %.2f wide, want its whole side, %.2f", largest, half)
			}
			if c.Width > 390-2*16 && len(tt.values[0]) < 16 {
				t.Errorf("chart %d wide for usual values: too wide for a 390 px phone's column", c.Width)
			}
		})
	}
}

func TestStageChartLabelsNeverOverlap(t *testing.T) {
	report := func(ref, total string, stages ...string) *calc.Report {
		r := &calc.Report{Method: calc.MethodRef{ID: ref, Version: "2025.1"}, Total: calc.ReportedAmount{KgCO2e: fixed(t, total)}}
		for i := 0; i < len(stages); i += 2 {
			r.ByStage = append(r.ByStage, calc.ReportedStage{Stage: stages[i], KgCO2e: fixed(t, stages[i+1])})
		}
		return r
	}
	tests := []struct {
		name    string
		reports []*calc.Report
	}{
		{"one method", []*calc.Report{report("us-federal", "112554.977", "combustion", "53114.5", "electricity", "49690.477", "A1-A3", "9750")}},
		{"a huge total beside a tiny one", []*calc.Report{
			report("us-federal", "5311769717.862", "combustion", "5311759967.862", "A1-A3", "9750"),
			report("eu-gpp", "0.001", "electricity", "0.001")}},
		{"long totals side by side", []*calc.Report{
			report("us-federal", "999999999999999.999", "combustion", "999999999999999.999"),
			report("eu-gpp", "999999999999999.998", "combustion", "999999999999999.998")}},
		{"a long method id and stage name", []*calc.Report{
			report("a-very-long-method-identifier-from-a-file", "1", "transport-to-site-and-installation", "1"),
			report("eu-gpp", "2", "A1-A3", "2")}},
		{"three methods", []*calc.Report{report("a", "1", "s", "1"), report("b", "3", "s", "3"), report("c", "2", "t", "2")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := stageChart(tt.reports)
			if c.LabelFont < chartFontMin || c.TotalFont < chartFontMin {
				t.Errorf("fonts %d and %d px, under %d px", c.LabelFont, c.TotalFont, chartFontMin)
			}
			checkBoxes(t, c.textBoxes(), c.Width, c.Height)
		})
	}
	// The usual comparison fits a phone's column.
	c := stageChart(tests[1].reports)
	if c.Width > 390-2*16 {
		t.Errorf("two-method chart %d wide: too wide for a 390 px phone's column", c.Width)
	}
}

// TestChartTemplatesFontSizes renders the comparison page and checks that
// every chart text is drawn at 12 px or more and that the charts are
// drawn at their natural size (the width attribute is the viewBox width),
// so that no scaling makes their text smaller.
func TestChartTemplatesFontSizes(t *testing.T) {
	h := newTestServer(t)
	v := twoLineForm()
	v.Set("method2", "eu-gpp@2025.1")
	v.Set("line-0-quantity", "99999999")
	rec := postForm(t, h, "/", v)
	if rec.Code != 200 {
		t.Fatalf("status %d\n%.2000s", rec.Code, rec.Body)
	}
	body := rec.Body.Bytes()
	sizes := regexp.MustCompile(`<text [^>]*font-size="([^"]+)"`).FindAllSubmatch(body, -1)
	texts := bytes.Count(body, []byte("<text "))
	if texts == 0 || len(sizes) != texts {
		t.Fatalf("%d texts, %d with a font-size", texts, len(sizes))
	}
	for _, m := range sizes {
		if n, err := strconv.ParseFloat(string(m[1]), 64); err != nil || n < chartFontMin {
			t.Errorf("chart text at font-size %q, under %d px", m[1], chartFontMin)
		}
	}
	svgs := regexp.MustCompile(`<svg [^>]*viewBox="0 0 (\d+) (\d+)" width="(\d+)" height="(\d+)"`).FindAllSubmatch(body, -1)
	if len(svgs) != 2 {
		t.Fatalf("%d charts drawn, want 2", len(svgs))
	}
	for _, m := range svgs {
		if !bytes.Equal(m[1], m[3]) || !bytes.Equal(m[2], m[4]) {
			t.Errorf("chart drawn at %s×%s for a %s×%s viewBox: scaled", m[3], m[4], m[1], m[2])
		}
	}
}
