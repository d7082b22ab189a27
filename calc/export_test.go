package calc

// RoundHalfEvenRat is the oracle's exact half-even rounding, for the
// external tests (compare_round_test.go).
var RoundHalfEvenRat = roundHalfEven
