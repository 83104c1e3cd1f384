package keras

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/npy"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/optimizers"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// archive is an opened zip archive with its members by name.
type archive struct {
	members map[string]*zip.File
}

func openArchive(data []byte) (*archive, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errors.Wrap(err, "not a gokeras file (not a readable zip archive)")
	}
	a := &archive{members: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		if _, dup := a.members[f.Name]; dup {
			return nil, errors.Errorf("the archive holds %s twice", f.Name)
		}
		a.members[f.Name] = f
	}
	return a, nil
}

// read returns a member's content, refusing members larger than limit
// and implausible compression ratios (zip bombs).
func (a *archive) read(name string, limit int64) ([]byte, error) {
	f, ok := a.members[name]
	if !ok {
		return nil, errors.Errorf("%s is missing", name)
	}
	size := f.UncompressedSize64
	switch {
	case size > uint64(limit):
		return nil, errors.Errorf("%s: %d bytes, more than the %d expected", name, size, limit)
	case f.Method == zip.Store && f.CompressedSize64 != size:
		return nil, errors.Errorf("%s: stored with %d bytes but declares %d", name, f.CompressedSize64, size)
	case f.Method != zip.Store && size > maxDeflate*f.CompressedSize64+1024:
		return nil, errors.Errorf("%s: implausible compression ratio (%d bytes from %d)", name, size, f.CompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errors.Wrapf(err, "%s", name)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, errors.Wrapf(err, "%s", name)
	}
	if int64(len(data)) > limit || uint64(len(data)) != size {
		return nil, errors.Errorf("%s: %d bytes, its header says %d", name, len(data), size)
	}
	return data, nil
}

func (a *archive) readJSON(name string, into interface{}) error {
	data, err := a.read(name, maxJSONMember)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, into); err != nil {
		return errors.Wrapf(err, "%s", name)
	}
	return nil
}

// readArray reads a .npy member that must have the given shape and dtype
// and hold only finite values.
func (a *archive) readArray(name string, shape []int, dtype string) (npy.Array, error) {
	n, ok := checkedProd(shape)
	if !ok {
		return npy.Array{}, errors.Errorf("%s: invalid shape %s", name, tupleString(shape))
	}
	data, err := a.read(name, int64(12+npy.MaxHeader+8*n))
	if err != nil {
		return npy.Array{}, err
	}
	arr, err := npy.Decode(data)
	if err != nil {
		return npy.Array{}, errors.Wrapf(err, "%s", name)
	}
	if !equalInts(arr.Shape, shape) {
		return npy.Array{}, errors.Errorf("%s: shape %s, the index says %s", name, tupleString(arr.Shape), tupleString(shape))
	}
	if arr.Dtype() != dtype {
		return npy.Array{}, errors.Errorf("%s: dtype %s, the file's metadata says %s", name, arr.Dtype(), dtype)
	}
	if i, x, bad := firstNonFinite(arr); bad {
		return npy.Array{}, errors.Errorf("%s: value %d is %v", name, i, x)
	}
	return arr, nil
}

// checkedProd returns the product of dims that must each be >= 1, and
// false on an invalid dimension or a product above 2^40.
func checkedProd(shape []int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 1 || d > 1<<40 || n > (1<<40)/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

func firstNonFinite(a npy.Array) (int, float64, bool) {
	for i, x := range a.F32 {
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			return i, f, true
		}
	}
	for i, x := range a.F64 {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return i, x, true
		}
	}
	return 0, 0, false
}

// tupleString formats a shape the way numpy prints it: (13, 64), (64,).
func tupleString(shape []int) string {
	if len(shape) == 1 {
		return fmt.Sprintf("(%d,)", shape[0])
	}
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// decodeSnapshot reads and checks everything a file holds.
func decodeSnapshot(data []byte) (*snapshot, error) {
	a, err := openArchive(data)
	if err != nil {
		return nil, err
	}
	s := &snapshot{}
	if _, ok := a.members[memberMetadata]; !ok {
		return nil, errors.New("not a gokeras file (no metadata.json)")
	}
	if err := a.readJSON(memberMetadata, &s.meta); err != nil {
		return nil, err
	}
	if err := checkMetadata(s.meta, a); err != nil {
		return nil, err
	}
	if s.meta.Kind == kindModel {
		s.model = &modelJSON{}
		if err := a.readJSON(memberConfig, s.model); err != nil {
			return nil, err
		}
		if err := checkModelJSON(s.model); err != nil {
			return nil, errors.Wrap(err, memberConfig)
		}
		if s.model.Config.Dtype != s.meta.Dtype || s.model.Config.Seed != s.meta.Seed {
			return nil, errors.Errorf("%s says dtype %s and seed %d, %s says %s and %d",
				memberConfig, s.model.Config.Dtype, s.model.Config.Seed, memberMetadata, s.meta.Dtype, s.meta.Seed)
		}
	}
	var index weightsIndex
	if err := a.readJSON(memberWeights, &index); err != nil {
		return nil, err
	}
	shapes := map[string][]int{}
	total := 0
	for i, e := range index.Weights {
		if e.Name == "" {
			return nil, errors.Errorf("%s: weight %d has no name", memberWeights, i)
		}
		if _, dup := shapes[e.Name]; dup {
			return nil, errors.Errorf("%s: two weights are named %s", memberWeights, e.Name)
		}
		n, ok := checkedProd(e.Shape)
		if !ok || len(e.Shape) == 0 {
			return nil, errors.Errorf("%s: weight %s has invalid shape %v", memberWeights, e.Name, e.Shape)
		}
		if total += n; total > 1<<40 {
			return nil, errors.Errorf("%s: too many values", memberWeights)
		}
		shapes[e.Name] = e.Shape
		arr, err := a.readArray(e.File, e.Shape, s.meta.Dtype)
		if err != nil {
			return nil, errors.Wrapf(err, "weight %s", e.Name)
		}
		s.weights = append(s.weights, tensorData{name: e.Name, shape: e.Shape, arr: arr})
	}
	if s.meta.Kind != kindModel {
		return s, nil
	}
	if _, ok := a.members[memberOptimizer]; ok {
		if s.model.CompileConfig == nil {
			return nil, errors.Errorf("%s is present but %s has no compile_config", memberOptimizer, memberConfig)
		}
		var of optimizerFile
		if err := a.readJSON(memberOptimizer, &of); err != nil {
			return nil, err
		}
		st := &optimizers.State{Name: of.Name, Iterations: of.Iterations, LearningRate: of.LearningRate, Partial: of.Partial}
		if of.Iterations < 0 || !(of.LearningRate >= 0) || math.IsInf(of.LearningRate, 0) {
			return nil, errors.Errorf("%s: invalid iterations %d or learning rate %v", memberOptimizer, of.Iterations, of.LearningRate)
		}
		for _, e := range of.Slots {
			shape, ok := shapes[e.Variable]
			if !ok {
				return nil, errors.Errorf("%s: slots for %s, which is not among the weights", memberOptimizer, e.Variable)
			}
			if _, dup := st.Slots[e.Variable]; dup {
				return nil, errors.Errorf("%s: %s has two slot lists", memberOptimizer, e.Variable)
			}
			if st.Slots == nil {
				st.Slots = map[string][][]float64{}
			}
			bufs := [][]float64{}
			for _, f := range e.Files {
				arr, err := a.readArray(f, shape, s.meta.Dtype)
				if err != nil {
					return nil, errors.Wrapf(err, "optimizer slot of %s", e.Variable)
				}
				bufs = append(bufs, arr.Float64s())
			}
			st.Slots[e.Variable] = bufs
		}
		s.opt = st
	}
	if _, ok := a.members[memberLayerState]; ok {
		var lf layerStateFile
		if err := a.readJSON(memberLayerState, &lf); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, e := range lf.States {
			if e.Layer == "" || seen[e.Layer] {
				return nil, errors.Errorf("%s: state for layer %q, which is empty or named twice", memberLayerState, e.Layer)
			}
			seen[e.Layer] = true
		}
		s.layerStates = lf.States
	}
	return s, nil
}

func checkMetadata(md fileMetadata, a *archive) error {
	if md.Format != FormatName {
		if _, ok := a.members["model.weights.h5"]; ok {
			return errors.New("this is a Keras (Python) .keras file: read it with interop.LoadModel (package keras/interop); keras.LoadModel reads files saved by gokeras (docs/format.md)")
		}
		return errors.Errorf("%s: format %q, want %q", memberMetadata, md.Format, FormatName)
	}
	if md.FormatVersion < 1 {
		return errors.Errorf("%s: invalid format version %d", memberMetadata, md.FormatVersion)
	}
	if md.FormatVersion > FormatVersion {
		return errors.Errorf("format version %d (written by gokeras %s) is newer than this gokeras (%s) reads (%d): upgrade gokeras",
			md.FormatVersion, md.GokerasVersion, Version, FormatVersion)
	}
	if md.Kind != kindModel && md.Kind != kindWeights {
		return errors.Errorf("%s: unknown kind %q (want %q or %q)", memberMetadata, md.Kind, kindModel, kindWeights)
	}
	if _, err := parseDtype(md.Dtype); err != nil {
		return errors.Wrap(err, memberMetadata)
	}
	return nil
}

// checkModelJSON checks the fields every model configuration needs.
func checkModelJSON(mj *modelJSON) error {
	if mj.Format != FormatName {
		return errors.Errorf("format %q, want %q", mj.Format, FormatName)
	}
	if mj.FormatVersion < 1 || mj.FormatVersion > FormatVersion {
		return errors.Errorf("format version %d, this gokeras (%s) reads 1 to %d", mj.FormatVersion, Version, FormatVersion)
	}
	if mj.ClassName != "Sequential" && mj.ClassName != "Functional" {
		return errors.Errorf("model class %q is not supported (Sequential or Functional)", mj.ClassName)
	}
	if _, err := parseDtype(mj.Config.Dtype); err != nil {
		return err
	}
	if len(mj.Config.Layers) == 0 {
		return errors.New("the model has no layers")
	}
	if len(mj.Config.Layers) > maxLayers {
		return errors.Errorf("the model declares %d layers, more than the %d gokeras reads", len(mj.Config.Layers), maxLayers)
	}
	return nil
}

// maxLayers bounds the layers a configuration may declare.
const maxLayers = 1 << 16

func parseDtype(s string) (tensor.Dtype, error) {
	switch s {
	case "float32":
		return tensor.Float32, nil
	case "float64":
		return tensor.Float64, nil
	}
	return tensor.Dtype{}, errors.Errorf("dtype %q is not supported (float32 or float64)", s)
}

// modelFromJSON rebuilds and builds a model from its configuration.
// maxParams > 0 bounds the values its weights may hold.
func modelFromJSON(mj *modelJSON, maxParams int) (m *Model, err error) {
	if err := checkModelJSON(mj); err != nil {
		return nil, err
	}
	bound := 0
	if maxParams > 0 {
		// Generous, so that a modest mismatch is reported weight by weight
		// by checkWeights; tight enough that a damaged configuration cannot
		// exhaust memory.
		bound = 2*maxParams + 1<<24
	}
	tooLarge := func(err error) error {
		if maxParams > 0 && errors.Is(err, ErrTooLarge) {
			return errors.Wrapf(err, "the configuration needs far more weights than the file holds (%d values)", maxParams)
		}
		return err
	}
	m, err = modelFromArchitecture(mj.ClassName, mj.Config, bound)
	if err != nil {
		return nil, tooLarge(err)
	}
	if err := m.Build(); err != nil {
		return nil, tooLarge(err)
	}
	m.maxParams = 0
	return m, nil
}

// modelFromArchitecture rebuilds a Sequential or functional model (not
// built yet) from its configuration.
func modelFromArchitecture(class string, cfg architectureJSON, maxParams int) (*Model, error) {
	dt, err := parseDtype(cfg.Dtype)
	if err != nil {
		return nil, err
	}
	ls := make([]layers.Layer, 0, len(cfg.Layers))
	for i, lj := range cfg.Layers {
		l, err := layerFromJSON(lj)
		if err != nil {
			var bc layers.BaseConfig
			if json.Unmarshal(lj.Config, &bc) == nil && bc.Name != "" {
				return nil, errors.Wrapf(err, "layer %d (%s)", i, bc.Name)
			}
			return nil, errors.Wrapf(err, "layer %d", i)
		}
		ls = append(ls, l)
	}
	var m *Model
	switch class {
	case "Sequential":
		m = Sequential(ls...)
		m.maxParams = maxParams
	case "Functional":
		if m, err = functionalFromLayers(cfg, ls, &layers.BuildContext{MaxParams: maxParams}); err != nil {
			return nil, err
		}
	default:
		return nil, errors.Errorf("model class %q is not supported (Sequential or Functional)", class)
	}
	if cfg.Name != "" {
		m.SetName(cfg.Name)
	}
	m.seed, m.dtype = cfg.Seed, dt
	return m, nil
}

// functionalFromLayers re-applies rebuilt layers along their inbound nodes
// and makes the functional model.
func functionalFromLayers(cfg architectureJSON, ls []layers.Layer, ctx *layers.BuildContext) (*Model, error) {
	byName := map[string]int{}
	for i, l := range ls {
		if l.Name() == "" {
			return nil, errors.Errorf("layer %d (%s) has no name", i, l.ClassName())
		}
		if _, dup := byName[l.Name()]; dup {
			return nil, errors.Errorf("two layers are named %q", l.Name())
		}
		byName[l.Name()] = i
	}
	produced := make([][][]*layers.Tensor, len(ls)) // per layer, per node: its outputs
	for i, l := range ls {
		if il, ok := l.(*layers.InputLayer); ok {
			produced[i] = [][]*layers.Tensor{{layers.NewInput(il, il.Dtype())}}
		}
	}
	resolve := func(r tensorRef) (*layers.Tensor, bool, error) {
		i, ok := byName[r.Layer]
		if !ok {
			return nil, false, errors.Errorf("a tensor reference names layer %q, which the configuration does not have", r.Layer)
		}
		if r.Node >= len(produced[i]) {
			return nil, false, nil // not made yet
		}
		outs := produced[i][r.Node]
		if r.Tensor >= len(outs) {
			return nil, false, errors.Errorf("a tensor reference names output %d of %s[%d], which has %d", r.Tensor, r.Layer, r.Node, len(outs))
		}
		return outs[r.Tensor], true, nil
	}
	next := make([]int, len(ls)) // next inbound node to make, per layer
	pending := 0
	for _, lj := range cfg.Layers {
		pending += len(lj.InboundNodes)
	}
	for pending > 0 {
		progress := false
		for i, lj := range cfg.Layers {
			for next[i] < len(lj.InboundNodes) {
				refs := lj.InboundNodes[next[i]]
				ins := make([]*layers.Tensor, len(refs))
				ready := true
				for k, r := range refs {
					t, ok, err := resolve(r)
					if err != nil {
						return nil, errors.Wrapf(err, "layer %s", ls[i].Name())
					}
					if !ok {
						ready = false
						break
					}
					ins[k] = t
				}
				if !ready {
					break
				}
				outs := layers.ApplyLayer(ctx, ls[i], ins...)
				if err := outs[0].Err(); err != nil {
					return nil, err
				}
				produced[i] = append(produced[i], outs)
				next[i]++
				pending--
				progress = true
			}
		}
		if !progress {
			for i, lj := range cfg.Layers {
				if next[i] < len(lj.InboundNodes) {
					return nil, errors.Errorf("the inbound nodes of layer %s cannot be resolved (a cycle, or a reference to a node that does not exist): %v", ls[i].Name(), lj.InboundNodes[next[i]])
				}
			}
		}
	}
	refs := func(what string, rs []tensorRef) ([]*layers.Tensor, error) {
		var out []*layers.Tensor
		for _, r := range rs {
			t, ok, err := resolve(r)
			if err != nil {
				return nil, errors.Wrap(err, what)
			}
			if !ok {
				return nil, errors.Errorf("%s: %s[%d][%d] does not exist", what, r.Layer, r.Node, r.Tensor)
			}
			out = append(out, t)
		}
		return out, nil
	}
	inputs, err := refs("input_layers", cfg.InputLayers)
	if err != nil {
		return nil, err
	}
	outputs, err := refs("output_layers", cfg.OutputLayers)
	if err != nil {
		return nil, err
	}
	var opts []ModelOption
	if len(cfg.OutputNames) > 0 {
		opts = append(opts, OutputNames(cfg.OutputNames...))
	}
	return NewModel(inputs, outputs, opts...)
}

// layerFromJSON calls the layer's registered factory, turning a panic
// into an error.
func layerFromJSON(lj layerJSON) (l layers.Layer, err error) {
	if lj.ClassName == "" {
		return nil, errors.New("no class_name")
	}
	defer func() {
		if r := recover(); r != nil {
			l, err = nil, kerrors.Recovered("layers: the factory of "+lj.ClassName, r)
		}
	}()
	l, err = layers.FromConfig(lj.ClassName, lj.Config)
	if err == nil && l == nil {
		err = errors.Errorf("layers: the factory of %s returned no layer", lj.ClassName)
	}
	return l, err
}

// paramCount returns the number of values in the snapshot's weights.
func (s *snapshot) paramCount() int {
	n := 0
	for _, t := range s.weights {
		n += t.arr.Len()
	}
	return n
}

// checkWeights matches the snapshot's weights to m's variables (by
// position, Keras's order) and converts them to the model's dtype. It
// changes nothing.
func (s *snapshot) checkWeights(m *Model) ([]npy.Array, error) {
	if len(s.weights) != len(m.vars) {
		msg := fmt.Sprintf("the file holds %d weight tensors, the model has %d", len(s.weights), len(m.vars))
		i := 0
		for ; i < len(s.weights) && i < len(m.vars); i++ {
			if f, v := s.weights[i], m.vars[i]; f.name != v.Name() || !equalInts(f.shape, v.Shape()) {
				break
			}
		}
		switch {
		case i < len(s.weights) && i < len(m.vars):
			msg += fmt.Sprintf("; the first difference is weight %d: %s %s in the file, %s %s in the model",
				i, s.weights[i].name, tupleString(s.weights[i].shape), m.vars[i].Name(), tupleString(m.vars[i].Shape()))
		case i < len(m.vars):
			msg += fmt.Sprintf("; the file ends before the model's weight %d, %s %s", i, m.vars[i].Name(), tupleString(m.vars[i].Shape()))
		default:
			msg += fmt.Sprintf("; the model ends before the file's weight %d, %s %s", i, s.weights[i].name, tupleString(s.weights[i].shape))
		}
		return nil, errors.New(msg)
	}
	out := make([]npy.Array, len(m.vars))
	for i, v := range m.vars {
		f := s.weights[i]
		layer, wname := splitVarName(v.Name())
		if !equalInts(f.shape, v.Shape()) {
			return nil, errors.Errorf("layer %s: %s shape %s in file, model has %s", layer, wname, tupleString(f.shape), tupleString(v.Shape()))
		}
		arr, err := convertArray(f.arr, v.Dtype())
		if err != nil {
			return nil, errors.Wrapf(err, "layer %s: %s", layer, wname)
		}
		out[i] = arr
	}
	return out, nil
}

func splitVarName(name string) (layer, weight string) {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return name, name
}

// convertArray returns a in dtype dt: float32 widens exactly, float64
// rounds to the nearest float32 and must stay finite.
func convertArray(a npy.Array, dt tensor.Dtype) (npy.Array, error) {
	switch {
	case dt == tensor.Float32 && a.F32 != nil, dt == tensor.Float64 && a.F64 != nil:
		return a, nil
	case dt == tensor.Float64:
		return npy.Array{Shape: a.Shape, F64: a.Float64s()}, nil
	case dt == tensor.Float32:
		out := make([]float32, len(a.F64))
		for i, x := range a.F64 {
			out[i] = float32(x)
			if math.IsInf(float64(out[i]), 0) {
				return npy.Array{}, errors.Errorf("value %d (%v) overflows float32", i, x)
			}
		}
		return npy.Array{Shape: a.Shape, F32: out}, nil
	}
	return npy.Array{}, errors.Errorf("unsupported dtype %v", dt)
}

// assignWeights copies checked arrays into m's variables, holding the
// weights' write lock.
func (m *Model) assignWeights(ws []npy.Array) {
	m.weightsMu.Lock()
	defer m.weightsMu.Unlock()
	m.assignWeightsLocked(ws)
}

func (m *Model) assignWeightsLocked(ws []npy.Array) {
	for i, v := range m.vars {
		switch d := v.Value().Data().(type) {
		case []float32:
			copy(d, ws[i].F32)
		case []float64:
			copy(d, ws[i].F64)
		}
	}
}

// applyLayerStates sets the snapshot's layer states on m's layers; on
// error it puts back those it had set. It returns a function that undoes
// them all. States match layers by name ("inner_model/dropout" for a
// nested model's layer) or, like the weights, by position when the file's
// layers are the model's classes in the same order, whatever their names.
func (s *snapshot) applyLayerStates(m *Model) (undo func(), err error) {
	byName := map[string]layers.Layer{}
	var walk func(prefix string, mm *Model)
	walk = func(prefix string, mm *Model) {
		for _, l := range mm.g.Layers() {
			byName[prefix+l.Name()] = l
			if inner, ok := modelOf(l); ok {
				walk(prefix+inner.Name()+"/", inner)
			}
		}
	}
	walk("", m)
	if s.model != nil {
		mine := m.configLayers()
		if len(s.model.Config.Layers) == len(mine) {
			for i, lj := range s.model.Config.Layers {
				var bc layers.BaseConfig
				if json.Unmarshal(lj.Config, &bc) == nil && lj.ClassName == mine[i].ClassName() {
					if _, taken := byName[bc.Name]; !taken {
						byName[bc.Name] = mine[i]
					}
				}
			}
		}
	}
	type applied struct {
		l   layers.Stateful
		old []byte
	}
	var done []applied
	undo = func() {
		for i := len(done) - 1; i >= 0; i-- {
			_ = done[i].l.SetLayerState(done[i].old)
		}
	}
	for _, e := range s.layerStates {
		l, ok := byName[e.Layer]
		if !ok {
			undo()
			return nil, errors.Errorf("the file has state for layer %s, which the model does not have", e.Layer)
		}
		sl, ok := l.(layers.Stateful)
		if !ok {
			undo()
			return nil, errors.Errorf("the file has state for layer %s (%s), which keeps none", e.Layer, l.ClassName())
		}
		old, err := sl.LayerState()
		if err == nil {
			err = sl.SetLayerState(e.State)
		}
		if err != nil {
			undo()
			return nil, errors.Wrapf(err, "layer %s: state", e.Layer)
		}
		done = append(done, applied{sl, old})
	}
	return undo, nil
}

// optimizerState returns the snapshot's optimizer state with its slots
// keyed by m's variable names, matched by position as the weights are
// (checkWeights has checked that they correspond).
func (s *snapshot) optimizerState(m *Model) optimizers.State {
	st := *s.opt
	if len(st.Slots) == 0 || len(s.weights) != len(m.vars) {
		return st
	}
	st.Slots = make(map[string][][]float64, len(s.opt.Slots))
	for i, w := range s.weights {
		if bufs, ok := s.opt.Slots[w.name]; ok {
			st.Slots[m.vars[i].Name()] = bufs
		}
	}
	return st
}

// A saved model that holds other models rebuilds them through the layer
// registry, under Keras's class names.
func init() {
	for _, class := range []string{"Sequential", "Functional"} {
		class := class
		if err := layers.Register(class, func(raw json.RawMessage) (layers.Layer, error) {
			var cfg architectureJSON
			if err := json.Unmarshal(raw, &cfg); err != nil {
				return nil, errors.Wrapf(err, "keras: %s config", class)
			}
			if len(cfg.Layers) == 0 || len(cfg.Layers) > maxLayers {
				return nil, errors.Errorf("keras: %s config: %d layers", class, len(cfg.Layers))
			}
			m, err := modelFromArchitecture(class, cfg, 0)
			if err != nil {
				return nil, errors.Wrapf(err, "nested model %s", cfg.Name)
			}
			return m.AsLayer(), nil
		}); err != nil {
			panic(err)
		}
	}
}
