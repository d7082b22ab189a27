package calc

import (
	"sort"

	"github.com/shopspring/decimal"

	"github.com/footprint-gpp/footprint/methods"
)

// Apportion rounds each exact part by the rule and then places the
// residual, so that the rounded parts add up exactly to target (a value
// already at the rule's places, usually a total shown elsewhere).
//
// The rule is largest remainder, starting from the method's own rounding:
// every part is first rounded by r; if the rounded parts miss target by k
// units of the last place, one unit is added (k > 0) to each of the k parts
// whose exact value lost most to rounding (largest exact − rounded), or
// taken (k < 0) from each of the |k| parts that gained most; ties go to the
// earlier part. So a part differs from its own rounding only where a unit
// had to be placed, and then by one unit, towards its exact value whenever
// enough parts have a remainder on that side (always, unless target itself
// is more than half a unit from the exact sum). Where |k| exceeds the
// number of parts, units go round again in the same order.
//
// The result depends only on the exact parts, target and r: the same input
// always gives the same split.
func Apportion(parts []decimal.Decimal, target decimal.Decimal, r methods.Rounding) []decimal.Decimal {
	out := make([]decimal.Decimal, len(parts))
	if len(parts) == 0 {
		return out
	}
	var sum decimal.Decimal
	for i, p := range parts {
		out[i] = r.Round(p)
		sum = sum.Add(out[i])
	}
	k := target.Sub(sum).Shift(r.Places).IntPart() // whole units: both sides are at the rule's places
	if k == 0 {
		return out
	}
	order := make([]int, len(parts))
	rem := make([]decimal.Decimal, len(parts))
	for i := range parts {
		order[i] = i
		rem[i] = parts[i].Sub(out[i])
	}
	step := decimal.New(1, -r.Places)
	if k < 0 {
		step, k = step.Neg(), -k
		sort.SliceStable(order, func(a, b int) bool { return rem[order[a]].Cmp(rem[order[b]]) < 0 })
	} else {
		sort.SliceStable(order, func(a, b int) bool { return rem[order[a]].Cmp(rem[order[b]]) > 0 })
	}
	n := int64(len(order))
	for j, i := range order {
		units := k / n
		if int64(j) < k%n {
			units++
		}
		if units != 0 {
			out[i] = out[i].Add(step.Mul(decimal.NewFromInt(units)))
		}
	}
	return out
}
