module github.com/footprint-gpp/footprint

go 1.26

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/shopspring/decimal v1.6.0
)
