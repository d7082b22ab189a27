package epd

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"
)

// The uncertainty an ILCD+EPD document declares for an LCIA result: the
// ILCD process data set's uncertaintyDistributionType and
// relativeStandardDeviation95In, beside the result's meanAmount (schema
// order: referenceToLCIAMethodDataSet, meanAmount,
// uncertaintyDistributionType, relativeStandardDeviation95In,
// generalComment, common:other). Their meaning is Uncertainty's; the rules
// by which they are taken, refused or ignored are here and in docs/epd.md,
// "Declared uncertainty".
//
// An LCIA result has one pair of fields, but ILCD+EPD declares its amounts
// per module in common:other (epd:amount module="A1-A3"), and the EPD
// extension has no uncertainty per module (EPD_Extensions_2013.xsd:
// epd:amount carries only module and scenario). The fields describe "the
// calculated variable value", the result's meanAmount; tools writing
// ILCD+EPD leave meanAmount at 0.0 (InData's EPD 1.3 sample data set;
// openLCA's writer, GreenDelta/olca-ilcd EpdIndicatorResult.toImpactResult,
// sets no amount on a meanAmount held as a Java double). So a declared
// uncertainty is kept on a
// module's result only where it says which amount it describes: the
// meanAmount equals that module's amount (and no other's), or the result
// declares no other module amount. Otherwise it is noted and not used.

// Field names of the uncertainty of an LCIA result or an exchange.
const (
	fieldDistType = "uncertaintyDistributionType"
	fieldRSD95    = "relativeStandardDeviation95In"
)

// xsDecimal is the lexical form of an xs:decimal (ILCD's Perc type is
// one): digits with an optional sign and point, no exponent.
var xsDecimal = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$`)

// Bounds of ILCD's Perc type (ILCD_Common_DataTypes.xsd: xs:decimal,
// totalDigits 5, fractionDigits 3): a value outside cannot be in a valid
// data set, whatever it was meant to say.
const (
	percTotalDigits    = 5
	percFractionDigits = 3
)

// parsePerc reads relativeStandardDeviation95In as ILCD's Perc type: an
// xs:decimal of at most 5 digits, 3 of them after the point, not
// negative (a standard deviation never is).
func parsePerc(s string) (decimal.Decimal, error) {
	if len(s) > maxNumberLen || !xsDecimal.MatchString(s) {
		return decimal.Decimal{}, fmt.Errorf("%s is not a decimal number (ILCD's Perc type: e.g. 1.44 or 20; no exponent, no unit)", quote(s))
	}
	x, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%s is not a decimal number (ILCD's Perc type: e.g. 1.44 or 20)", quote(s))
	}
	if x.IsNegative() {
		return decimal.Decimal{}, fmt.Errorf("%s is negative; a standard deviation never is", quote(s))
	}
	// Digits of the value (trailing zeros after the point do not count).
	digits := strings.TrimLeft(strings.ReplaceAll(x.Abs().String(), ".", ""), "0")
	frac := 0
	if i := strings.IndexByte(x.String(), '.'); i >= 0 {
		frac = len(x.String()) - i - 1
	}
	if frac > percFractionDigits || len(digits) > percTotalDigits {
		return decimal.Decimal{}, fmt.Errorf("%s has more digits than ILCD's Perc type holds (at most %d, %d after the point: 99999 or 99.999 at most)", quote(s), percTotalDigits, percFractionDigits)
	}
	return x, nil
}

// declaredUncertainty reads the uncertainty fields of the LCIA result r
// at path, for indicator ind. It returns the declaration when it is one
// the reader keeps (log-normal or normal with a plausible spread; Applies
// not yet set), and nil otherwise: nothing declared, a declaration that is
// not a distribution to sample (undefined, triangular, uniform: noted), or
// one that cannot be taken (a warning naming the field, what is wrong and
// what would be right; the result's value itself is read as ever).
func declaredUncertainty(r *node, path, ind string, d *Declaration) *Uncertainty {
	typ, val := r.child(fieldDistType).str(), r.child(fieldRSD95).str()
	if typ == "" && val == "" {
		return nil
	}
	typPath, valPath := path+"/"+fieldDistType, path+"/"+fieldRSD95
	notUsed := "; " + ind + "'s declared uncertainty is not used"
	switch typ {
	case DistLogNormal, DistNormal:
	case "":
		d.warn(fmt.Sprintf("%s: %s without %s (want log-normal or normal beside it)%s", valPath, quote(val), fieldDistType, notUsed))
		return nil
	case DistUndefined:
		d.Notes = append(d.Notes, fmt.Sprintf("%s: undefined (ILCD: \"probability distribution information not available\"); no distribution is assumed, so %s%s", typPath, orNone(val, fieldRSD95), " is not used"))
		return nil
	case DistTriangular, DistUniform:
		msg := fmt.Sprintf("%s: %s; sampled only when log-normal or normal (ILCD states a %s distribution by minimum and maximum amounts, which an LCIA result does not have)", typPath, typ, typ)
		if val != "" {
			msg += fmt.Sprintf("; %s %s, which ILCD leaves empty for %s, is not used", fieldRSD95, quote(val), typ)
		}
		d.Notes = append(d.Notes, msg)
		return nil
	default:
		d.warn(fmt.Sprintf("%s: %s is not an ILCD uncertainty distribution type (want undefined, log-normal, normal, triangular or uniform)%s", typPath, quote(typ), notUsed))
		return nil
	}
	if val == "" {
		d.warn(fmt.Sprintf("%s: missing beside %s %s (want SDg² for log-normal, 2·SD in %% of the value for normal)%s", valPath, fieldDistType, typ, notUsed))
		return nil
	}
	x, err := parsePerc(val)
	if err != nil {
		d.warn(valPath + ": " + err.Error() + notUsed)
		return nil
	}
	switch {
	case typ == DistLogNormal && x.LessThan(decimal.NewFromInt(1)):
		d.warn(fmt.Sprintf("%s: %s is below 1, but for log-normal it is SDg², the square of a geometric standard deviation, which is at least 1 (1: no spread; 1.44: the 97.5 %% point 1.44 times the value)%s", valPath, quote(val), notUsed))
		return nil
	case typ == DistNormal && x.GreaterThanOrEqual(decimal.NewFromInt(100)):
		d.warn(fmt.Sprintf("%s: %s %% is 2·SD of a normal whose 2.5 %% point (value − 2·SD) is at or beyond zero: the value would change sign, which a normal multiplier floored at zero cannot reproduce (want below 100, or log-normal)%s", valPath, quote(val), notUsed))
		return nil
	}
	return &Uncertainty{Field: valPath, Distribution: typ, RelativeSD95In: x.String()}
}

// orNone names a field's value for a note, or says it is empty.
func orNone(val, field string) string {
	if val == "" {
		return "no " + field
	}
	return field + " " + quote(val)
}

// attachUncertainty keeps u on the result of the module it describes
// among res (the module amounts read from the LCIA result at path, with
// meanAmount's text mean): the one the meanAmount equals, when it is not
// zero and equals no other; else the only one. Otherwise it is noted and
// dropped.
func attachUncertainty(u *Uncertainty, res []Result, mean, path, ind string, d *Declaration) {
	if u == nil || len(res) == 0 {
		if u != nil {
			d.Notes = append(d.Notes, fmt.Sprintf("%s: %s declares no module amount, so its declared uncertainty describes none", path, ind))
		}
		return
	}
	meanPath := path + "/meanAmount"
	var m decimal.Decimal
	if mean != "" {
		v, err := parseNum(mean)
		if err != nil {
			d.warn(fmt.Sprintf("%s: %s; %s's declared uncertainty (%s) describes the meanAmount, so it is not used", meanPath, err, ind, u.Distribution))
			return
		}
		m = v
	}
	if !m.IsZero() {
		var at []int
		for i := range res {
			if res[i].Value.Equal(m) {
				at = append(at, i)
			}
		}
		switch len(at) {
		case 1:
			u.Applies = AppliesMean
			res[at[0]].Uncertainty = u
		case 0:
			d.Notes = append(d.Notes, fmt.Sprintf("%s: %s equals none of %s's module amounts, so its declared uncertainty (%s) describes another value; not used", meanPath, quote(mean), ind, u.Distribution))
		default:
			d.Notes = append(d.Notes, fmt.Sprintf("%s: %s equals %d of %s's module amounts, so its declared uncertainty (%s) does not say which it describes; not used", meanPath, quote(mean), len(at), ind, u.Distribution))
		}
		return
	}
	if len(res) == 1 {
		u.Applies = AppliesOnly
		res[0].Uncertainty = u
		return
	}
	shown := "no meanAmount"
	if mean != "" {
		shown = "meanAmount " + quote(mean)
	}
	d.Notes = append(d.Notes, fmt.Sprintf("%s: %s declares %d module amounts and %s (ILCD+EPD's placeholder), so its declared uncertainty (%s, %s %s) does not say which module it describes; not used", path, ind, len(res), shown, u.Distribution, fieldRSD95, u.RelativeSD95In))
}

// exchangeUncertainty notes an uncertainty declared on the reference
// exchange at path: the declared unit is what the results are per, exact
// by definition, and only an LCIA result's declared uncertainty is
// sampled.
func exchangeUncertainty(ex *node, path string, d *Declaration) {
	typ, val := ex.child(fieldDistType).str(), ex.child(fieldRSD95).str()
	if typ == "" && val == "" {
		return
	}
	d.Notes = append(d.Notes, fmt.Sprintf("%s: the reference flow's amount declares an uncertainty (%s, %s); not used: the results are per declared unit, which is exact, and only an LCIA result's own declared uncertainty is sampled",
		path, orNone(typ, fieldDistType), orNone(val, fieldRSD95)))
}
