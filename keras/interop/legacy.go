package interop

import (
	"encoding/json"
	"strconv"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/internal/hdf5"
	"github.com/gokeras/gokeras/keras/layers"
)

// The legacy Keras HDF5 format (keras/src/legacy/saving/legacy_h5_format.py
// and tf.keras 2's hdf5_format.py): root attributes keras_version,
// backend, model_config and training_config (JSON); a group model_weights
// (the root itself for save_weights files) with attribute layer_names and
// one group per layer holding weight_names and one dataset per weight.
// Attributes longer than 64512 bytes are split into name0, name1, ....

// stringAttr reads a string attribute (Python str or bytes).
func stringAttr(g *hdf5.Group, name string) (string, bool, error) {
	if !g.HasAttr(name) {
		return "", false, nil
	}
	a, err := g.Attr(name)
	if err != nil {
		return "", true, err
	}
	s, err := a.String()
	return s, true, errors.Wrapf(err, "attribute %s", name)
}

// attrList reads a list attribute written by save_attributes_to_hdf5_group,
// joining its split form name0, name1, ... An empty list (Keras writes a
// float64 array of length 0 for a layer without weights) gives nil.
func attrList(g *hdf5.Group, name string) ([]string, error) {
	read := func(n string) ([]string, error) {
		a, err := g.Attr(n)
		if err != nil {
			return nil, err
		}
		if a.Null || a.Len() == 0 {
			return nil, nil
		}
		s, err := a.Strings()
		return s, errors.Wrapf(err, "attribute %s", n)
	}
	if g.HasAttr(name) {
		return read(name)
	}
	var out []string
	for i := 0; g.HasAttr(name + strconv.Itoa(i)); i++ {
		part, err := read(name + strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
		if len(out) > maxLayers*16 {
			return nil, errors.Errorf("attribute %s lists more than %d names", name, maxLayers*16)
		}
	}
	return out, nil
}

// loadLegacyH5 reads a legacy Keras .h5 model.
func loadLegacyH5(data []byte, o *loadConfig) (*keras.Model, error) {
	hf, err := hdf5.Open(data)
	if err != nil {
		return nil, errors.Wrap(err, "not a readable HDF5 file")
	}
	root := hf.Root()
	mc, ok, err := stringAttr(root, "model_config")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("the HDF5 file has no model_config attribute (a weights file: build the model and call interop.LoadWeights)")
	}
	if len(mc) > maxJSONBytes {
		return nil, errors.Errorf("model_config: %d bytes, more than %d", len(mc), maxJSONBytes)
	}
	version, _, err := stringAttr(root, "keras_version")
	if err != nil {
		return nil, err
	}
	var top entry
	if err := json.Unmarshal([]byte(mc), &top); err != nil {
		return nil, errors.Wrap(err, "model_config")
	}
	values, err := countValues(hf)
	if err != nil {
		return nil, err
	}
	r := &reader{dialect: Keras2, version: version, ctx: newBudget(values), dtype: o.dtype}
	m, t, err := r.model(top)
	if err != nil {
		return nil, errors.Wrap(err, "model_config")
	}
	if err := finishModel(m, r, o); err != nil {
		return nil, err
	}
	if err := readLegacyWeights(hf, m, t); err != nil {
		return nil, err
	}
	if o.compile {
		tc, ok, err := stringAttr(root, "training_config")
		if err != nil {
			return nil, err
		}
		if ok && tc != "" && tc != "null" {
			if err := compileLegacy(m, []byte(tc), Keras2); err != nil {
				return nil, errors.Wrap(err, "training_config (load with interop.WithoutCompile() to skip it)")
			}
		}
	}
	return m, nil
}

// readLegacyWeights sets m's weights from a legacy file, matching the
// file's layers that have weights to the model's, in order (Keras's
// load_weights_from_hdf5_group).
func readLegacyWeights(hf *hdf5.File, m *keras.Model, t *tree) error {
	g := hf.Root()
	if mw, err := g.Group("model_weights"); err == nil {
		g = mw
	}
	names, err := attrList(g, "layer_names")
	if err != nil {
		return err
	}
	if names == nil && !g.HasAttr("layer_names") && !g.HasAttr("layer_names0") {
		return errors.New("the HDF5 file has no layer_names attribute: not a Keras weights file")
	}
	type fileLayer struct {
		name    string
		weights []Weight
	}
	var file []fileLayer
	for _, n := range names {
		lg, err := g.Group(n)
		if err != nil {
			return errors.Wrapf(err, "layer %s", n)
		}
		wn, err := attrList(lg, "weight_names")
		if err != nil {
			return errors.Wrapf(err, "layer %s", n)
		}
		if len(wn) == 0 {
			continue
		}
		fl := fileLayer{name: n}
		for _, w := range wn {
			ds, err := lg.Dataset(w)
			if err != nil {
				return errors.Wrapf(err, "layer %s: weight %s", n, w)
			}
			v, err := readDataset(ds)
			if err != nil {
				return errors.Wrapf(err, "layer %s: weight %s", n, w)
			}
			fl.weights = append(fl.weights, v)
		}
		file = append(file, fl)
	}
	lvs, err := leaves(t)
	if err != nil {
		return err
	}
	// The model's top-level layers that have weights, each with its
	// leaves.
	type modelLayer struct {
		l      layers.Layer
		leaves []int
	}
	var model []modelLayer
	for _, l := range t.layers {
		ml := modelLayer{l: l}
		n := 0
		for k, lf := range lvs {
			if lf.top == l {
				ml.leaves = append(ml.leaves, k)
				n += len(lf.names)
			}
		}
		if n > 0 {
			model = append(model, ml)
		}
	}
	if len(file) != len(model) {
		return errors.Errorf("layer count mismatch: the file has %d layers with weights, the model %d", len(file), len(model))
	}
	values := make([][]Weight, len(lvs))
	for i, ml := range model {
		fl := file[i]
		// Keras orders a layer's weights trainable first, then
		// non-trainable (a nested model's across its layers).
		type slot struct{ leaf, index int }
		var order []slot
		for pass := 0; pass < 2; pass++ {
			for _, k := range ml.leaves {
				lf := lvs[k]
				vars := lf.layer.Variables()
				for j := range lf.names {
					trainable := j >= len(vars) || vars[j].Trainable()
					if (pass == 0) == trainable {
						order = append(order, slot{k, j})
					}
				}
			}
		}
		if len(order) != len(fl.weights) {
			return errors.Errorf("layer %s (%s in the file): the file holds %d weights, the model's layer has %d", ml.l.Name(), fl.name, len(fl.weights), len(order))
		}
		per := map[int][]Weight{}
		for _, k := range ml.leaves {
			per[k] = make([]Weight, len(lvs[k].names))
		}
		for j, s := range order {
			per[s.leaf][s.index] = fl.weights[j]
		}
		for _, k := range ml.leaves {
			v, err := importLeaf(lvs[k], per[k])
			if err != nil {
				return errors.Wrapf(err, "(%s in the file)", fl.name)
			}
			values[k] = v
		}
	}
	return assign(m, lvs, values)
}
