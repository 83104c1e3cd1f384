package layers

import (
	"encoding/json"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/registry"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// LambdaFunc computes a Lambda layer's outputs from its inputs, adding
// nodes to one graph (the scope's). It must not keep the nodes.
type LambdaFunc func(s *backend.Scope, xs []*G.Node) ([]*G.Node, error)

// LambdaLayer applies a function of tensors (Keras: Lambda /
// layer_lambda). It has no weights.
type LambdaLayer struct {
	Base
	fn       LambdaFunc
	funcName string
	shapes   func(in [][]int) ([][]int, error)
}

// LambdaOption is an option of Lambda: Common, FunctionName or
// OutputShapes.
type LambdaOption interface{ applyLambda(*LambdaLayer) }

func (c Common) applyLambda(l *LambdaLayer) { c.ApplyTo(&l.Base) }

// FunctionNameOption names a Lambda's function for saving.
type FunctionNameOption string

// FunctionName names the function of a Lambda layer as registered with
// RegisterLambda, so that saved models holding the layer can be loaded
// (Keras saves Python bytecode; gokeras saves the name). Without it the
// model trains and predicts but Save fails, naming the layer.
func FunctionName(name string) FunctionNameOption { return FunctionNameOption(name) }

func (o FunctionNameOption) applyLambda(l *LambdaLayer) { l.funcName = string(o) }

// OutputShapesOption gives a Lambda's output shapes as a function of its
// input shapes (per sample; -1 for any size).
type OutputShapesOption func(in [][]int) ([][]int, error)

// OutputShapes tells a Lambda layer its output shapes (Keras:
// output_shape). Without it the shapes are found by running the function
// once on a small graph, which needs every input dimension known.
func OutputShapes(f func(in [][]int) ([][]int, error)) OutputShapesOption {
	return OutputShapesOption(f)
}

func (o OutputShapesOption) applyLambda(l *LambdaLayer) { l.shapes = o }

// Lambda returns a layer computing fn of its inputs (Keras: Lambda). The
// function adds Gorgonia nodes to the scope's graph; it may use every op
// of Gorgonia and keras/backend whose gradient is right (see
// docs/architecture.md). Options: FunctionName, OutputShapes and the
// Common options.
func Lambda(fn LambdaFunc, opts ...LambdaOption) *LambdaLayer {
	l := &LambdaLayer{fn: fn}
	l.Init(l, "Lambda")
	for _, o := range opts {
		if o == nil {
			l.Fail(nilOption("Lambda"))
			continue
		}
		o.applyLambda(l)
	}
	if fn == nil {
		l.Fail(errors.Wrap(kerrors.ErrNil, "layers: Lambda: nil function"))
	}
	return l
}

// ClassName returns "Lambda".
func (l *LambdaLayer) ClassName() string { return "Lambda" }

// Build is BuildMulti for one input.
func (l *LambdaLayer) Build(ctx *BuildContext, in []int) ([]int, error) {
	out, err := l.BuildMulti(ctx, [][]int{in})
	if err != nil {
		return nil, err
	}
	if len(out) != 1 {
		return nil, errors.Errorf("layers: %s: the function returns %d outputs", l.name, len(out))
	}
	return out[0], nil
}

// BuildMulti finds the output shapes (OutputShapes, or one trial run).
func (l *LambdaLayer) BuildMulti(_ *BuildContext, in [][]int) ([][]int, error) {
	if done, err := l.StartBuildMulti(in); done || err != nil {
		return l.OutputShapes(), err
	}
	var out [][]int
	var err error
	if l.shapes != nil {
		out, err = l.shapes(cloneShapes(in))
	} else {
		out, err = l.trial(in)
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s: output shapes", l.name)
	}
	return l.FinishBuildMulti(in, out), nil
}

// trial runs the function on a graph of batch 2 to read its output
// shapes.
func (l *LambdaLayer) trial(in [][]int) (out [][]int, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, kerrors.Recovered("layers: Lambda trial run", r)
		}
	}()
	g := G.NewGraph()
	s := backend.NewScope(g, backend.Predict, 2, tensor.Float64)
	xs := make([]*G.Node, len(in))
	for i, shape := range in {
		for _, d := range shape {
			if d < 1 {
				return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(shape),
					Msg: "give Lambda OutputShapes for inputs with dimensions of any size"}
			}
		}
		full := append([]int{2}, shape...)
		xs[i] = G.NewTensor(g, tensor.Float64, len(full), G.WithShape(full...), G.WithName("lambda_trial_"+itoa(i)))
	}
	ys, err := l.fn(s, xs)
	if err != nil {
		return nil, err
	}
	for _, y := range ys {
		if y == nil || y.Dims() < 1 || y.Shape()[0] != 2 {
			return nil, errors.Errorf("the function must return nodes with the batch axis first, got %v", shapeOfNode(y))
		}
		out = append(out, append([]int(nil), y.Shape()[1:]...))
	}
	return out, nil
}

func shapeOfNode(n *G.Node) tensor.Shape {
	if n == nil {
		return nil
	}
	return n.Shape()
}

// Forward is ForwardMulti for one input and one output.
func (l *LambdaLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	ys, err := l.ForwardMulti(s, []*G.Node{x})
	if err != nil {
		return nil, err
	}
	if len(ys) != 1 {
		return nil, errors.Errorf("layers: %s: the function returns %d outputs", l.name, len(ys))
	}
	return ys[0], nil
}

// ForwardMulti runs the function.
func (l *LambdaLayer) ForwardMulti(s *backend.Scope, xs []*G.Node) ([]*G.Node, error) {
	ys, err := l.fn(s, xs)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	if len(ys) != len(l.outShapes) {
		return nil, errors.Errorf("layers: %s: the function returned %d outputs, it was built with %d", l.name, len(ys), len(l.outShapes))
	}
	return ys, nil
}

// LambdaConfig is Lambda's serialisable configuration: the registered
// name of its function.
type LambdaConfig struct {
	BaseConfig
	Function string `json:"function"`
}

// Config returns the layer's configuration. Its Function is empty for a
// Lambda without FunctionName, which then cannot be saved.
func (l *LambdaLayer) Config() any {
	return LambdaConfig{BaseConfig: l.BaseConfig(), Function: l.funcName}
}

// Validate reports why the layer cannot be saved, if it cannot.
func (l *LambdaLayer) Validate() error {
	if l.funcName == "" {
		return errors.Errorf("layers: %s: a Lambda without FunctionName cannot be saved; register its function with layers.RegisterLambda and give the layer FunctionName", l.name)
	}
	return nil
}

type lambdaEntry struct {
	fn     LambdaFunc
	shapes func(in [][]int) ([][]int, error)
}

var lambdas = registry.New[lambdaEntry]("layers", "Lambda function")

// RegisterLambda makes fn available under name to Lambda layers loaded
// from saved models (FunctionName); shapes may be nil (see OutputShapes).
func RegisterLambda(name string, fn LambdaFunc, shapes func(in [][]int) ([][]int, error)) error {
	if fn == nil {
		return errors.Wrap(kerrors.ErrNil, "layers: RegisterLambda: nil function")
	}
	return lambdas.Register(name, lambdaEntry{fn, shapes})
}

func init() {
	classes.Builtin("Lambda", func(raw json.RawMessage) (Layer, error) {
		var c LambdaConfig
		if err := decode("Lambda", raw, &c); err != nil {
			return nil, err
		}
		e, err := lambdas.Get(c.Function)
		if err != nil {
			return nil, errors.Wrapf(err, "layers: Lambda %s", c.Name)
		}
		common, err := c.BaseConfig.Common()
		if err != nil {
			return nil, errors.Wrap(err, "layers: Lambda config")
		}
		opts := []LambdaOption{FunctionName(c.Function)}
		if e.shapes != nil {
			opts = append(opts, OutputShapes(e.shapes))
		}
		for _, o := range common {
			opts = append(opts, o)
		}
		return Lambda(e.fn, opts...), nil
	})
}
