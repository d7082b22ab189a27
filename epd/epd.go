// Package epd reads Environmental Product Declarations from their
// published files, so that a bid's product-specific factor is the
// declaration's own number, checked before it counts (issue: "Product-
// specific factors from real EPD files"). Two formats:
//
//   - ILCD+EPD (EN 15804: ÖKOBAUDAT, InData, ECO Platform registries): a
//     process data set with the EPD extension, as a process XML with its
//     reference flow's XML, or as an ILCD archive (zip "with
//     dependencies": processes/, flows/, flowproperties/, unitgroups/);
//   - openEPD (JSON, as EC3 publishes).
//
// Parse keeps every number as its published text (decimal.Decimal parsed
// exactly) and records the SHA-256 of the file. It knows nothing of
// methods: which indicator and modules count, how validity is judged and
// which declared units convert are the method's rules, applied in calc.
// Parsing uses the standard library only (encoding/xml, encoding/json,
// archive/zip) with limits on size, depth and entries, and refuses DTDs
// and entities.
package epd

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Formats.
const (
	FormatILCD    = "ilcd+epd"
	FormatOpenEPD = "openepd"
)

// Errors of reading a document. Each is wrapped in a *DocError naming the
// file and the field.
var (
	// ErrFormat marks an unknown format name.
	ErrFormat = errors.New("unknown EPD format")
	// ErrMalformed marks a document that cannot be read (bad XML/JSON/zip,
	// a missing required element).
	ErrMalformed = errors.New("malformed EPD document")
	// ErrTooLarge marks a document over the size, depth or entry limits.
	ErrTooLarge = errors.New("EPD document too large")
	// ErrUnsafe marks a document with a DTD or entity declarations.
	ErrUnsafe = errors.New("EPD document refused: DTD or entities")
)

// DocError is a problem with one document: which file, which field, what.
type DocError struct {
	File  string // file name (or "document" when none)
	Field string // element or JSON path, e.g. "exchanges/exchange[@dataSetInternalID=0]/meanAmount"
	Msg   string
	Err   error // one of the sentinels above
}

func (e *DocError) Error() string {
	s := "EPD " + e.File
	if e.Field != "" {
		s += ": " + e.Field
	}
	return s + ": " + e.Msg
}

// Unwrap exposes the sentinel.
func (e *DocError) Unwrap() error { return e.Err }

// Declaration is what a document declares, as published.
type Declaration struct {
	Format string `json:"format"`
	// ID is the ILCD UUID or the openEPD id.
	ID                 string `json:"id"`
	Name               string `json:"name"`
	RegistrationNumber string `json:"registration_number,omitempty"`
	ProgramOperator    string `json:"program_operator,omitempty"`
	Manufacturer       string `json:"manufacturer,omitempty"`
	Plant              string `json:"plant,omitempty"`
	// Standard is e.g. "EN 15804+A2", "EN 15804+A1", "ISO 21930". A
	// document naming "EN 15804" without its amendment gets the one its GWP
	// indicators show, and StandardEvidence says which indicators decided.
	// Classification is the product classification the document gives
	// (ILCD classificationInformation, openEPD category and
	// product_classes), as written; empty when it gives none.
	Classification   []Classification `json:"classification,omitempty"`
	Standard         string           `json:"standard,omitempty"`
	StandardEvidence string           `json:"standard_evidence,omitempty"`
	// ConformsTo lists every standard the document declares conformity
	// with, in its order, each once: "EN 15804+A2" (the amendment as
	// Standard decided it), "ISO 21930", "ISO 14025". A method's rule may
	// ask for one of them (GSA's concrete EPDs: ISO 21930).
	ConformsTo []string `json:"conforms_to,omitempty"`
	PCR        string   `json:"pcr,omitempty"`
	// ValidUntil is the last day the declaration is valid, from the most
	// precise field that states it (ILCD+EPD's expirationDateOfEPD over the
	// year-only dataSetValidUntil). ValidUntilYearOnly says the document
	// gives only a year (2027, taken as 2027-12-31 but reported as the
	// year); ValidUntilField names the field read.
	ValidUntil         time.Time `json:"valid_until"`
	ValidUntilYearOnly bool      `json:"valid_until_year_only,omitempty"`
	ValidUntilField    string    `json:"valid_until_field,omitempty"`
	DeclaredUnit       Quantity  `json:"declared_unit"`
	// Density is the density the document states (kg per m3), if any: the
	// only way a volume converts to a mass or back.
	Density *decimal.Decimal `json:"density_kg_per_m3,omitempty"`
	Results []Result         `json:"results"`
	// Notes are what the reader noticed without refusing the document
	// (a value published as "ND" skipped, A1-A3 summed, a density that
	// could not be derived exactly): shown by `footprint epd inspect` so
	// that nothing is dropped silently.
	Notes []string `json:"notes,omitempty"`
	// Warnings are the optional fields that could not be read and were
	// skipped (a malformed density or top-level gwp): a line using the
	// declaration repeats them, since the reader of a result should know.
	// Each is in Notes too.
	Warnings []string `json:"warnings,omitempty"`
	// SHA256 is the hex SHA-256 of the file as given (the archive for ILCD
	// archives).
	SHA256 string `json:"sha256"`
}

// Quantity is an amount of a unit, as published.
type Quantity struct {
	Amount decimal.Decimal `json:"amount"`
	Unit   string          `json:"unit"`
}

// Result is one LCIA result: an indicator in one module, per declared unit.
type Result struct {
	// Indicator is normalised: "GWP-total", "GWP-fossil", "GWP-biogenic",
	// "GWP-luluc" (EN 15804+A2), "GWP" (EN 15804+A1), or as the document
	// names it for others (openEPD: "gwp" under a method set "TRACI 2.1",
	// "EF 3.0", "AR5" …, recorded in Set).
	Indicator string `json:"indicator"`
	// Set is the indicator set or method (openEPD), empty for ILCD.
	Set string `json:"set,omitempty"`
	// Module is "A1", "A2", "A3", "A1-A3", "A4", … as declared.
	Module string          `json:"module"`
	Value  decimal.Decimal `json:"value"`
	// Unit is the result's unit as published (kg CO2 eq.).
	Unit string `json:"unit,omitempty"`
	// Summed marks an "A1-A3" the document did not declare: the exact
	// sum of the modules in SummedFrom (A1, A2 and A3), added by the reader.
	Summed     bool     `json:"summed,omitempty"`
	SummedFrom []string `json:"summed_from,omitempty"`
	// From names the document field the result was read from when it is
	// not the format's results ("gwp": an openEPD document's top-level
	// A1-A3 GWP, read when impacts declares none).
	From string `json:"from,omitempty"`
	// RSD and Dist are an openEPD measurement's declared relative standard
	// deviation ("rsd", as written) and distribution ("dist"), empty when
	// it declares none. Not serialised, so that the output of documents
	// read before they were kept does not change; the uncertainty
	// sampling reads them (docs/uncertainty.md).
	RSD  string `json:"-"`
	Dist string `json:"-"`
	// Uncertainty is the uncertainty an ILCD+EPD document declares for
	// this value (its LCIA result's uncertaintyDistributionType and
	// relativeStandardDeviation95In), nil when it declares none or none
	// that describes this module's amount (readUncertainty).
	Uncertainty *Uncertainty `json:"uncertainty,omitempty"`
}

// ILCD uncertainty distribution types (ILCD_Common_EnumerationValues.xsd,
// UncertaintyDistributionTypeValues), as the format writes them.
const (
	DistUndefined  = "undefined"
	DistLogNormal  = "log-normal"
	DistNormal     = "normal"
	DistTriangular = "triangular"
	DistUniform    = "uniform"
)

// Uncertainty is the uncertainty a document declares for one result, as
// written, with the field it was read from. The ILCD process data set
// schema defines relativeStandardDeviation95In of an LCIA result
// (element 1-8-1-103, "Relative StdDev in %"; InDataWG/ILCD-EPD-Data-Format
// schemas/ILCD_ProcessDataSet.xsd, the same text in GreenDelta/epd-editor's
// copy) by the 2.5 % and 97.5 % points it implies: "For log-normal
// distribution the square of the geometric standard deviation (SDg^2) is
// stated. Mean value times SDg^2 equals the 97.5% value …, Mean value
// divided by SDg^2 equals the 2.5% value"; "For normal distribution the
// doubled standard deviation value (2*SD) is entered. Mean value plus 2*SD
// equals 97.5% value …, Mean value minus 2*SD equals 2.5% value"; the field
// "remains empty when uniform or triangular uncertainty distribution is
// applied". Interval95 gives those points.
type Uncertainty struct {
	// Field is the element the spread was read from, e.g.
	// "LCIAResults/LCIAResult[1]/relativeStandardDeviation95In".
	Field string `json:"field"`
	// Distribution is DistLogNormal or DistNormal (the only ones kept).
	Distribution string `json:"distribution"`
	// RelativeSD95In is relativeStandardDeviation95In as read (a decimal,
	// trailing zeros dropped): for
	// log-normal SDg², a factor of at least 1; for normal 2·SD in percent
	// of the value, from 0 to below 100.
	RelativeSD95In string `json:"relative_standard_deviation_95_in"`
	// Applies says why it describes this module's amount: AppliesMean
	// (the LCIA result's meanAmount is that amount) or AppliesOnly (the
	// result declares no other module amount).
	Applies string `json:"applies"`
}

// Why an LCIA result's declared uncertainty describes a module's amount.
const (
	AppliesMean = "meanAmount"
	AppliesOnly = "only module"
)

// Interval95 is the interval the declaration states for value: its 2.5 %
// and 97.5 % points, value ÷ and × SDg² (log-normal) or value × (1 ∓
// x/100) with x = 2·SD in percent (normal), the lower first (a negative
// value's points swap). Exact but for the division (16 decimal places).
func (u Uncertainty) Interval95(value decimal.Decimal) (lo, hi decimal.Decimal, err error) {
	x, err := decimal.NewFromString(u.RelativeSD95In)
	if err != nil {
		return lo, hi, fmt.Errorf("relative_standard_deviation_95_in %s: %w", quote(u.RelativeSD95In), err)
	}
	switch u.Distribution {
	case DistLogNormal:
		if !x.IsPositive() {
			return lo, hi, fmt.Errorf("SDg² %s is not positive", x)
		}
		lo, hi = value.DivRound(x, 16), value.Mul(x)
	case DistNormal:
		half := value.Mul(x).Div(decimal.NewFromInt(100))
		lo, hi = value.Sub(half), value.Add(half)
	default:
		return lo, hi, fmt.Errorf("distribution %s has no interval from relativeStandardDeviation95In", quote(u.Distribution))
	}
	if lo.GreaterThan(hi) {
		lo, hi = hi, lo
	}
	return lo, hi, nil
}

// MaxBytes bounds a document (and an archive); MaxArchiveEntries and
// MaxDepth bound an archive's entries and an XML or JSON nesting.
const (
	MaxBytes          = 16 << 20
	MaxArchiveEntries = 2000
	MaxDepth          = 64
)

// Parse reads a document of the given format; name is its file name for
// messages. It never panics and refuses DTDs, entities, oversized or
// too-deep documents with a *DocError.
//
// For ilcd+epd, raw is an ILCD archive (a zip "with dependencies") or a
// process data set XML; a process XML alone cannot give the declared unit
// (it is in the reference flow's data set), so use ParseILCD to give the
// flow XML beside it. For openepd, raw is the JSON document.
func Parse(format, name string, raw []byte) (*Declaration, error) {
	if name == "" {
		name = "document"
	}
	switch format {
	case FormatILCD:
		if isZip(raw) {
			return parseArchive(name, raw)
		}
		return ParseILCD(name, raw)
	case FormatOpenEPD:
		return parseOpenEPD(name, raw)
	}
	return nil, &DocError{File: name, Field: "format", Msg: "unknown format " + quote(format) + "; use ilcd+epd or openepd", Err: ErrFormat}
}

// MaxClassifications is the most classifications a declaration keeps, and
// MaxClassLevels the most classes of one classification's path: the first
// ones in document order. A product has a few; more is not evidence.
const (
	MaxClassifications = 16
	MaxClassLevels     = 8
)

// Classification is one product classification of a declaration: the
// system it belongs to and its path of classes as the document writes them.
type Classification struct {
	// System is the ILCD classification's name attribute (e.g.
	// "OEKOBAU.DAT"), "category" or "product_classes/<key>" for openEPD;
	// empty when the document names none.
	System string `json:"system,omitempty"`
	// Path is the classes from the most general to the most specific,
	// joined by " / " (ILCD levels), or the openEPD text as given
	// ("Concrete >> ReadyMix").
	Path string `json:"path"`
}
