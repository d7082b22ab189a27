package batch

// appendField appends s as one CSV field (RFC 4180, as encoding/csv writes
// it: quoted when it holds a comma, quote, CR or LF, starts with a space,
// or is `\.`). With neutralise, a cell a spreadsheet would read as a
// formula — starting with = + - @ tab or CR — gets a leading single quote
// (OWASP, "CSV Injection").
func appendField(dst []byte, s string, neutralise bool) []byte {
	prefix := neutralise && needsNeutralising(s)
	quote := s == `\.` || (len(s) > 0 && (s[0] == ' ' || s[0] == '\t') && !prefix)
	if !quote {
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case ',', '"', '\r', '\n':
				quote = true
			}
			if quote {
				break
			}
		}
	}
	if !quote {
		if prefix {
			dst = append(dst, '\'')
		}
		return append(dst, s...)
	}
	dst = append(dst, '"')
	if prefix {
		dst = append(dst, '\'')
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"', '"')
			continue
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// needsNeutralising reports whether a spreadsheet would take s as a formula.
func needsNeutralising(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// Neutralise returns s as written in a pass-through or error cell: with a
// leading single quote when a spreadsheet would read it as a formula.
func Neutralise(s string) string {
	if needsNeutralising(s) {
		return "'" + s
	}
	return s
}
