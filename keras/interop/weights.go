package interop

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/layers"
)

// leaf is a layer that is not a model, with where Keras keeps its weights.
type leaf struct {
	layer layers.Layer
	conv  Converter
	// path is the layer's Keras 3 weights path ("layers/dense",
	// "layers/sequential/layers/dense").
	path string
	// names are the Keras names of its weights in Keras's order.
	names []string
	// top is the top-level layer of the model the leaf belongs to (the
	// leaf itself, or the nested model holding it): Keras 2 files group
	// weights by top-level layer.
	top layers.Layer
}

// leaves lists a tree's layers that are not models, depth first, in
// Keras's order.
func leaves(t *tree) ([]leaf, error) {
	var out []leaf
	var walk func(t *tree, prefix string, top layers.Layer) error
	walk = func(t *tree, prefix string, top layers.Layer) error {
		names := containerNames(t.layers)
		for i, l := range t.layers {
			path := prefix + "layers/" + names[i]
			tp := top
			if tp == nil {
				tp = l
			}
			if sub, ok := t.nested[l]; ok {
				if err := walk(sub, path+"/", tp); err != nil {
					return err
				}
				continue
			}
			conv, ok := converterFor(l.ClassName())
			if !ok {
				if len(l.Variables()) == 0 {
					conv = Converter{}
				} else {
					return errors.Errorf("layer %s: gokeras has no converter for layer class %s (add one with interop.RegisterConverter)", l.Name(), l.ClassName())
				}
			}
			out = append(out, leaf{layer: l, conv: conv, path: path, names: kerasWeightNames(conv, l), top: tp})
		}
		return nil
	}
	return out, walk(t, "", nil)
}

// gokerasWeights returns a leaf's current weights in gokeras's order.
func gokerasWeights(l layers.Layer) []Weight {
	names := l.LayerBase().WeightNames()
	vars := l.Variables()
	out := make([]Weight, len(vars))
	for i, v := range vars {
		out[i] = Weight{Name: names[i], Shape: v.Shape(), Values: backend.ToFloat64s(v.Value().Data())}
	}
	return out
}

// exportLeaf returns a leaf's weights in Keras's order and layout, named
// as Keras names them.
func exportLeaf(lf leaf, ws []Weight) ([]Weight, error) {
	if lf.conv.ExportWeights != nil {
		var err error
		if ws, err = lf.conv.ExportWeights(lf.layer, ws); err != nil {
			return nil, errors.Wrapf(err, "layer %s: converting its weights to Keras's layout", lf.layer.Name())
		}
	}
	if len(lf.names) != len(ws) {
		return nil, errors.Errorf("layer %s: %d weights but %d Keras weight names", lf.layer.Name(), len(ws), len(lf.names))
	}
	out := make([]Weight, len(ws))
	for i, w := range ws {
		out[i] = Weight{Name: lf.names[i], Shape: w.Shape, Values: w.Values}
	}
	return out, nil
}

// importLeaf turns a leaf's weights as a file holds them (Keras's order
// and layout) into gokeras's, checking counts and shapes.
func importLeaf(lf leaf, ws []Weight) ([]Weight, error) {
	vars := lf.layer.Variables()
	if lf.conv.ImportWeights != nil {
		var err error
		if ws, err = lf.conv.ImportWeights(lf.layer, ws); err != nil {
			return nil, errors.Wrapf(err, "layer %s", lf.layer.Name())
		}
	}
	if len(ws) != len(vars) {
		return nil, errors.Errorf("layer %s (%s): the file holds %d weights, the layer has %d (%v)", lf.layer.Name(), lf.layer.ClassName(), len(ws), len(vars), lf.names)
	}
	names := lf.layer.LayerBase().WeightNames()
	for i, v := range vars {
		if !equalInts(ws[i].Shape, v.Shape()) {
			return nil, &shapeMismatch{layer: lf.layer.Name(), weight: names[i], file: ws[i].Shape, model: v.Shape()}
		}
		if len(ws[i].Values) != v.Size() {
			return nil, errors.Errorf("layer %s: %s holds %d values for shape %v", lf.layer.Name(), names[i], len(ws[i].Values), v.Shape())
		}
	}
	return ws, nil
}

type shapeMismatch struct {
	layer, weight string
	file, model   []int
}

func (e *shapeMismatch) Error() string {
	return fmt.Sprintf("layer %s: %s has shape %v in the file, the model's is %v", e.layer, e.weight, e.file, e.model)
}

// assign sets the model's weights from per-leaf weights in gokeras's
// order; every variable must get a value. Nothing changes on error.
func assign(m *keras.Model, lvs []leaf, values [][]Weight) error {
	vars := m.Variables()
	index := make(map[*backend.Variable]int, len(vars))
	for i, v := range vars {
		index[v] = i
	}
	out := make([]*tensor.Dense, len(vars))
	for k, lf := range lvs {
		for i, v := range lf.layer.Variables() {
			j, ok := index[v]
			if !ok {
				return errors.Errorf("layer %s: weight %s is not among the model's", lf.layer.Name(), v.Name())
			}
			w := values[k][i]
			out[j] = tensor.New(tensor.WithShape(w.Shape...), tensor.WithBacking(append([]float64(nil), w.Values...)))
		}
	}
	for i, t := range out {
		if t == nil {
			return errors.Errorf("the file gives no value for weight %s", vars[i].Name())
		}
	}
	return m.SetWeights(out)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func prod(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// checkedProd multiplies dims that must be >= 0, failing above 2^40.
func checkedProd(shape []int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 0 || d > 1<<40 {
			return 0, false
		}
		if d == 0 {
			return 0, true
		}
		if n > (1<<40)/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// float32Values returns v rounded to float32 (what a float32 file holds).
func float32Values(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func finite(v []float64) (int, bool) {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return i, false
		}
	}
	return 0, true
}

// budget is the bound on the weights a file's configuration may declare:
// generous against the values the file holds, so that a modest mismatch is
// reported weight by weight, tight enough that a damaged configuration
// cannot exhaust memory.
func budget(fileValues int) int {
	b := 2*fileValues + 1<<20
	if b > keras.MaxParams || b < 0 {
		b = keras.MaxParams
	}
	return b
}
