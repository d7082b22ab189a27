package factors

// The embedded data (data/, except data/FORMAT.md) is generated from the
// curated reference tables beside the repository by tools/refdata; the
// generator is a separate program, never imported here. Regenerate with
// `go generate ./factors` after changing the tables or the mappings, and
// review `git diff factors/data`.
//
//go:generate go run ../tools/refdata -ref ../../shared/reference-data -out data
