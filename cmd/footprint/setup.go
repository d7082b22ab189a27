package main

import (
	"flag"
	"fmt"

	"github.com/footprint-gpp/footprint/calc"
	"github.com/footprint-gpp/footprint/factors"
	"github.com/footprint-gpp/footprint/methods"
)

// dataFlags are the flags that extend the embedded data.
type dataFlags struct {
	methodsDir string
	dataDir    string
}

func (d *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.methodsDir, "methods", "", "directory of method files (*.toml) added to the embedded methods")
	fs.StringVar(&d.dataDir, "data", "", "directory of datasets (one folder each, with meta.toml) added to the embedded data")
}

// world is the library, registry and engine a command works with.
type world struct {
	lib    *factors.Library
	reg    *methods.Registry
	engine *calc.Engine
}

// load builds the library and registry: embedded defaults plus directories.
func (d *dataFlags) load() (*world, error) {
	lib, err := factors.Embedded()
	if err != nil {
		return nil, fmt.Errorf("loading embedded data: %w", err)
	}
	if d.dataDir != "" {
		if lib, err = lib.WithDatasetsDir(d.dataDir); err != nil {
			return nil, fmt.Errorf("loading datasets from %s: %w", d.dataDir, err)
		}
	}
	reg, err := methods.Embedded(lib)
	if err != nil {
		return nil, fmt.Errorf("loading embedded methods: %w", err)
	}
	if d.methodsDir != "" {
		if err := reg.AddDir(d.methodsDir); err != nil {
			return nil, fmt.Errorf("loading methods from %s:\n%w", d.methodsDir, err)
		}
	}
	return &world{lib: lib, reg: reg, engine: calc.NewEngine(lib)}, nil
}
