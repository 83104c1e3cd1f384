package main

import (
	"context"
	"strings"

	"github.com/gokeras/gokeras/keras/layers"
)

// needLayers returns errMissing naming the layer classes of a workload
// that the layer registry does not hold yet.
func needLayers(id string, classes ...string) error {
	have := map[string]bool{}
	for _, n := range layers.Names() {
		have[n] = true
	}
	var missing []string
	for _, c := range classes {
		if !have[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return errMissing{"needs the layers " + strings.Join(missing, ", ") + ", which gokeras does not have yet"}
	}
	return errMissing{"the layers " + strings.Join(classes, ", ") + " exist now, but this version of cmd/bench does not run " + id + " yet"}
}

// runW5 is the LSTM sequence classifier.
func runW5(context.Context, *config) error { return needLayers("W5", "Embedding", "LSTM") }

// runW6 is the GRU sequence classifier.
func runW6(context.Context, *config) error { return needLayers("W6", "Embedding", "GRU") }
