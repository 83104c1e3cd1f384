package interop

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"hash/crc32"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/internal/hdf5"
	"github.com/gokeras/gokeras/keras/layers"
)

// The Keras 3 format (keras/src/saving/saving_lib.py): a zip archive with
// metadata.json, config.json and model.weights.h5, whose layout is
// described in keras3Weights.
const (
	memberMetadata = "metadata.json"
	memberConfig   = "config.json"
	memberWeights  = "model.weights.h5"
	// kerasFormatVersion is the Keras release whose saving code this
	// package follows; files it writes record it as keras_version.
	kerasFormatVersion = "3.11.3"
	maxDeflateRatio    = 1100
)

// archive is an opened zip archive with its members by name.
type archive struct {
	data    []byte
	members map[string]*zip.File
}

func openArchive(data []byte) (*archive, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errors.Wrap(err, "not a readable zip archive")
	}
	a := &archive{data: data, members: map[string]*zip.File{}}
	for _, f := range zr.File {
		if _, dup := a.members[f.Name]; dup {
			return nil, errors.Errorf("the archive holds %s twice", f.Name)
		}
		a.members[f.Name] = f
	}
	return a, nil
}

// read returns a member's content, refusing members larger than limit and
// implausible compression ratios.
func (a *archive) read(name string, limit int64) ([]byte, error) {
	f, ok := a.members[name]
	if !ok {
		return nil, errors.Errorf("%s is missing", name)
	}
	size := f.UncompressedSize64
	switch {
	case size > uint64(limit):
		return nil, errors.Errorf("%s: %d bytes, more than the %d accepted", name, size, limit)
	case f.Method == zip.Store && f.CompressedSize64 != size:
		return nil, errors.Errorf("%s: stored with %d bytes but declares %d", name, f.CompressedSize64, size)
	case f.Method != zip.Store && size > maxDeflateRatio*f.CompressedSize64+1024:
		return nil, errors.Errorf("%s: implausible compression ratio (%d bytes from %d)", name, size, f.CompressedSize64)
	case f.CompressedSize64 > uint64(len(a.data)):
		return nil, errors.Errorf("%s: declares %d compressed bytes, the archive has %d", name, f.CompressedSize64, len(a.data))
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errors.Wrap(err, name)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, errors.Wrap(err, name)
	}
	if uint64(len(data)) != size {
		return nil, errors.Errorf("%s: %d bytes, its header says %d", name, len(data), size)
	}
	return data, nil
}

// kerasMetadata is metadata.json.
type kerasMetadata struct {
	KerasVersion string `json:"keras_version"`
	DateSaved    string `json:"date_saved"`
}

// loadKerasArchive reads a Keras 3 .keras archive.
func loadKerasArchive(data []byte, o *loadConfig) (*keras.Model, error) {
	a, err := openArchive(data)
	if err != nil {
		return nil, err
	}
	var meta kerasMetadata
	if _, ok := a.members[memberMetadata]; ok {
		md, err := a.read(memberMetadata, maxJSONBytes)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(md, &meta); err != nil {
			return nil, errors.Wrap(err, memberMetadata)
		}
	}
	cj, err := a.read(memberConfig, maxJSONBytes)
	if err != nil {
		return nil, err
	}
	var top entry
	if err := json.Unmarshal(cj, &top); err != nil {
		return nil, errors.Wrap(err, memberConfig)
	}
	if _, ok := a.members[memberWeights]; !ok {
		if _, npz := a.members["model.weights.npz"]; npz {
			return nil, errors.New("the archive keeps its weights in model.weights.npz; gokeras reads the HDF5 form (Keras's default, weights_format=\"h5\")")
		}
		return nil, errors.Errorf("%s is missing", memberWeights)
	}
	wf, err := a.openHDF5(memberWeights)
	if err != nil {
		return nil, err
	}
	values, err := countValues(wf)
	if err != nil {
		return nil, errors.Wrap(err, memberWeights)
	}
	r := &reader{dialect: Keras3, version: meta.KerasVersion, ctx: newBudget(values), dtype: o.dtype}
	m, t, err := r.model(top)
	if err != nil {
		return nil, errors.Wrap(err, memberConfig)
	}
	if err := finishModel(m, r, o); err != nil {
		return nil, err
	}
	if err := readKeras3Weights(wf.Root(), m, t); err != nil {
		return nil, errors.Wrap(err, memberWeights)
	}
	if o.compile && len(top.CompileConfig) > 0 && !isNull(top.CompileConfig) {
		if err := compileKeras3(m, top.CompileConfig, Keras3); err != nil {
			return nil, errors.Wrapf(err, "%s: compile_config (load with interop.WithoutCompile() to skip it)", memberConfig)
		}
		if err := readOptimizerVars(wf.Root(), m, t, meta.KerasVersion); err != nil {
			return nil, errors.Wrap(err, memberWeights)
		}
	}
	return m, nil
}

// openHDF5 opens an HDF5 member: stored members are read in place.
func (a *archive) openHDF5(name string) (*hdf5.File, error) {
	f := a.members[name]
	if f.Method == zip.Store && f.CompressedSize64 == f.UncompressedSize64 {
		off, err := f.DataOffset()
		if err == nil && off >= 0 && uint64(off)+f.UncompressedSize64 <= uint64(len(a.data)) {
			b := a.data[off : uint64(off)+f.UncompressedSize64]
			// Reading through the zip reader would check the CRC; reading in
			// place must too, so that a damaged member is not taken for
			// weights.
			if crc32.ChecksumIEEE(b) != f.CRC32 {
				return nil, errors.Errorf("%s: CRC-32 mismatch (the archive is corrupted)", name)
			}
			hf, err := hdf5.Open(b)
			return hf, errors.Wrap(err, name)
		}
	}
	data, err := a.read(name, 1<<34)
	if err != nil {
		return nil, err
	}
	hf, err := hdf5.Open(data)
	return hf, errors.Wrap(err, name)
}

// countValues returns the number of values the file's datasets hold.
func countValues(f *hdf5.File) (int, error) {
	n := 0
	err := f.Root().Walk(func(_ string, _ *hdf5.Group, ds *hdf5.Dataset) error {
		if ds != nil {
			n += ds.Len()
			if n > 1<<40 {
				return errors.New("more than 2^40 values")
			}
		}
		return nil
	})
	return n, err
}

// varsOf reads the datasets of a Keras 3 vars group in index order
// ("0", "1", ..., "10"), and checks that they are numbered 0..n-1.
func varsOf(g *hdf5.Group, path string) ([]Weight, error) {
	links, err := g.Children()
	if err != nil {
		return nil, errors.Wrap(err, path)
	}
	type item struct {
		i    int
		name string
	}
	var items []item
	for _, l := range links {
		i, err := strconv.Atoi(l.Name)
		if err != nil || i < 0 || strconv.Itoa(i) != l.Name {
			return nil, errors.Errorf("%s: %q is not a variable index", path, l.Name)
		}
		items = append(items, item{i, l.Name})
	}
	sort.Slice(items, func(a, b int) bool { return items[a].i < items[b].i })
	out := make([]Weight, len(items))
	for k, it := range items {
		if it.i != k {
			return nil, errors.Errorf("%s: variable %d is missing", path, k)
		}
		ds, err := g.Dataset(it.name)
		if err != nil {
			return nil, errors.Wrapf(err, "%s/%s", path, it.name)
		}
		w, err := readDataset(ds)
		if err != nil {
			return nil, errors.Wrapf(err, "%s/%s", path, it.name)
		}
		out[k] = w
	}
	return out, nil
}

// readDataset reads a numeric dataset as float64 (float16, float32,
// float64 and integers; bfloat16 as Keras marks it is refused).
func readDataset(ds *hdf5.Dataset) (Weight, error) {
	if ds.HasAttr("dtype") {
		if a, err := ds.Attr("dtype"); err == nil {
			if s, err := a.String(); err == nil && s == "bfloat16" {
				return Weight{}, errors.New("bfloat16 weights are not supported (gokeras computes in float32 or float64)")
			}
		}
	}
	dt := ds.Dtype()
	if dt == nil || (dt.Class != hdf5.ClassFloat && dt.Class != hdf5.ClassInteger) {
		return Weight{}, errors.Errorf("dataset of type %v is not numeric", dt)
	}
	v, err := ds.Float64s()
	if err != nil {
		return Weight{}, err
	}
	shape := ds.Shape()
	if shape == nil && ds.Len() == 0 {
		return Weight{}, errors.New("dataset has a null dataspace")
	}
	if len(v) != prod(shape) {
		return Weight{}, errors.Errorf("%d values for shape %v", len(v), shape)
	}
	if i, ok := finite(v); !ok {
		return Weight{}, errors.Errorf("value %d is %v (weights must be finite)", i, v[i])
	}
	return Weight{Name: ds.Path(), Shape: append([]int{}, shape...), Values: v}, nil
}

// varGroup is one vars group Keras 3 keeps some of a layer's weights in.
type varGroup struct {
	path string // relative to the layer's path; "" the layer's own group
	n    int    // how many consecutive weights it holds
}

// keras3Groups splits a leaf's weights (in WeightNames's order) into the
// vars groups of its converter's Keras3Vars.
func keras3Groups(lf leaf) ([]varGroup, error) {
	if lf.conv.Keras3Vars == nil {
		return []varGroup{{"", len(lf.names)}}, nil
	}
	paths := lf.conv.Keras3Vars(lf.layer)
	if len(paths) != len(lf.names) {
		return nil, errors.Errorf("layer %s (%s): the converter places %d weights, the layer has %d", lf.layer.Name(), lf.layer.ClassName(), len(paths), len(lf.names))
	}
	var out []varGroup
	for _, p := range paths {
		if len(out) > 0 && out[len(out)-1].path == p {
			out[len(out)-1].n++
			continue
		}
		for _, g := range out {
			if g.path == p {
				return nil, errors.Errorf("layer %s (%s): the converter places weights in %q apart", lf.layer.Name(), lf.layer.ClassName(), p)
			}
		}
		out = append(out, varGroup{p, 1})
	}
	return out, nil
}

func joinVarPath(base, rel string) string {
	if rel == "" {
		return base
	}
	return base + "/" + rel
}

// readKeras3Weights sets m's weights from a Keras 3 weights file: each
// layer's vars group (or the groups of the objects inside it that own
// its weights), at the path saving_lib gives it.
func readKeras3Weights(root *hdf5.Group, m *keras.Model, t *tree) error {
	lvs, err := leaves(t)
	if err != nil {
		return err
	}
	values := make([][]Weight, len(lvs))
	for k, lf := range lvs {
		vars := lf.layer.Variables()
		groups, err := keras3Groups(lf)
		if err != nil {
			return err
		}
		var ws []Weight
		missing := false
		for _, grp := range groups {
			path := joinVarPath(lf.path, grp.path)
			g, gerr := root.Group(path + "/vars")
			if gerr != nil {
				// Keras 2.13's layout.
				if alt, err := root.Group("_layer_checkpoint_dependencies/" + path[len("layers/"):] + "/vars"); err == nil {
					g, gerr = alt, nil
				}
			}
			if gerr != nil {
				if len(vars) == 0 {
					missing = true
					break
				}
				return errors.Errorf("no weights for layer %s (%s) at %s/vars", lf.layer.Name(), lf.layer.ClassName(), path)
			}
			gws, err := varsOf(g, path+"/vars")
			if err != nil {
				return err
			}
			if grp.path != "" && len(gws) != grp.n {
				return errors.Errorf("layer %s (%s): %s/vars holds %d variables, the layer keeps %d there (%v)", lf.layer.Name(), lf.layer.ClassName(), path, len(gws), grp.n, lf.names)
			}
			ws = append(ws, gws...)
		}
		if missing {
			continue
		}
		if len(ws) != len(lf.names) && lf.conv.ImportWeights == nil {
			return errors.Errorf("layer %s (%s): %s/vars holds %d variables, the layer has %d (%v)", lf.layer.Name(), lf.layer.ClassName(), lf.path, len(ws), len(lf.names), lf.names)
		}
		if values[k], err = importLeaf(lf, ws); err != nil {
			return err
		}
	}
	return assign(m, lvs, values)
}

// keras3Layout writes a model's weights in saving_lib's layout: "vars"
// for the model (with the attribute name), "layers/<name>/vars/<i>" for
// each layer (a nested model: its own "vars" and "layers/..."; the objects
// inside a layer that own its weights below it, "layers/lstm/cell/vars"),
// every vars group with the attribute name = the object's name.
func keras3Layout(w *hdf5.Writer, m *keras.Model, t *tree, withOptimizer bool) error {
	root := w.Root()
	var walk func(t *tree, prefix string) error
	mk := func(path, name string) (*hdf5.GroupWriter, error) {
		g, err := root.CreateGroup(path + "vars")
		if err != nil {
			return nil, err
		}
		return g, g.SetAttr("name", name)
	}
	if _, err := mk("", m.Name()); err != nil {
		return err
	}
	lvs, err := leaves(t)
	if err != nil {
		return err
	}
	byLayer := map[string]leaf{}
	for _, lf := range lvs {
		byLayer[lf.path] = lf
	}
	walk = func(t *tree, prefix string) error {
		names := containerNames(t.layers)
		for i, l := range t.layers {
			path := prefix + "layers/" + names[i]
			g, err := mk(path+"/", l.Name())
			if err != nil {
				return err
			}
			if sub, ok := t.nested[l]; ok {
				if err := walk(sub, path+"/"); err != nil {
					return err
				}
				continue
			}
			lf := byLayer[path]
			ws, err := exportLeaf(lf, gokerasWeights(l))
			if err != nil {
				return err
			}
			groups, err := keras3Groups(lf)
			if err != nil {
				return err
			}
			made := map[string]*hdf5.GroupWriter{"": g}
			next := 0
			for _, grp := range groups {
				// Every object on the way has its own (here empty) vars
				// group, as saving_lib writes one per object it visits.
				dst, rel := g, ""
				if grp.path != "" {
					for _, part := range strings.Split(grp.path, "/") {
						if rel == "" {
							rel = part
						} else {
							rel += "/" + part
						}
						if made[rel] == nil {
							if made[rel], err = mk(path+"/"+rel+"/", keras3ObjectName(l, rel)); err != nil {
								return errors.Wrapf(err, "layer %s", l.Name())
							}
						}
					}
					dst = made[grp.path]
				}
				for j := 0; j < grp.n && next < len(ws); j++ {
					if err := putFloats(dst, strconv.Itoa(j), ws[next], m.Dtype()); err != nil {
						return errors.Wrapf(err, "layer %s", l.Name())
					}
					next++
				}
			}
		}
		return nil
	}
	if err := walk(t, ""); err != nil {
		return err
	}
	if withOptimizer {
		return writeOptimizerVars(root, m, t)
	}
	return nil
}

// keras3ObjectName is the name of the object at rel inside l, which
// saving_lib gives its vars group: a recurrent layer's cell is
// "<layer class in snake case>_cell" ("lstm_cell"), Bidirectional's
// forward_layer and backward_layer are its two layers, TimeDistributed's
// layer the layer it wraps.
func keras3ObjectName(l layers.Layer, rel string) string {
	cur, name := l, rel
	for _, part := range strings.Split(rel, "/") {
		var next layers.Layer
		switch x := cur.(type) {
		case *layers.RecurrentLayer:
			if part == "cell" {
				return layers.DefaultName(x.ClassName()) + "_cell"
			}
		case *layers.BidirectionalLayer:
			switch part {
			case "forward_layer":
				next = x.ForwardLayer()
			case "backward_layer":
				next = x.BackwardLayer()
			}
		case *layers.TimeDistributedLayer:
			if part == "layer" {
				next = x.Layer()
			}
		}
		if next == nil {
			return part
		}
		cur, name = next, next.Name()
	}
	return name
}

// putFloats writes a weight in the model's dtype.
func putFloats(g *hdf5.GroupWriter, name string, w Weight, dt tensor.Dtype) error {
	var err error
	if dt == tensor.Float64 {
		_, err = g.CreateDataset(name, w.Shape, append([]float64(nil), w.Values...))
	} else {
		_, err = g.CreateDataset(name, w.Shape, float32Values(w.Values))
	}
	return err
}

// saveKerasArchive encodes m as a Keras 3 .keras archive.
func saveKerasArchive(m *keras.Model, o *kerasSaveConfig) ([]byte, error) {
	t, err := treeOf(m)
	if err != nil {
		return nil, err
	}
	mw := &modelWriter{dialect: Keras3, dtype: m.Dtype()}
	top, err := mw.model(t)
	if err != nil {
		return nil, err
	}
	settings, compiled := m.CompileSettings()
	if compiled && o.compile {
		cc, err := compileConfigKeras3(m, settings)
		if err != nil {
			return nil, errors.Wrap(err, "compile_config")
		}
		top = append(top, kv{"compile_config", cc})
	}
	config, err := top.MarshalJSON()
	if err != nil {
		return nil, err
	}
	date := o.date
	if date.IsZero() {
		date = time.Now()
	}
	meta, err := obj("keras_version", kerasFormatVersion, "date_saved", date.Format("2006-01-02@15:04:05")).MarshalJSON()
	if err != nil {
		return nil, err
	}
	hw := hdf5.NewWriter()
	if err := keras3Layout(hw, m, t, compiled && o.compile && o.optimizer); err != nil {
		return nil, errors.Wrap(err, memberWeights)
	}
	h5, err := hw.Bytes()
	if err != nil {
		return nil, errors.Wrap(err, memberWeights)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct {
		name string
		data []byte
	}{{memberMetadata, meta}, {memberConfig, config}, {memberWeights, h5}} {
		// Python's zipfile writes members stored (ZIP_STORED), as Keras does.
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Store, Modified: date})
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
