// Package factors holds the reference data a footprint calculation stands on:
// units with exact conversion ratios, greenhouse gases and GWP sets, regions
// with their parents, the activity taxonomy, and emission-factor datasets with
// their provenance.
//
// Every number is a decimal.Decimal parsed from text. Factors are kept with
// the value and unit exactly as published (for example "0.10 g/mmBtu" or
// "823.1 lb/MWh") and are converted exactly by the calculator, never through
// float64. Each factor cites the row of the curated reference table it was
// copied from (see data/FORMAT.md).
//
// The embedded data (Embedded) is the default; a Library can be extended with
// datasets read from a directory (LoadDir). A Library is immutable once built
// and safe for concurrent use.
package factors
