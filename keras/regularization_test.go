package keras_test

import (
	"context"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/optimizers"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// TestRegularizedLoss checks that kernel, bias and activity penalties are
// part of the loss Evaluate and Fit report, and of the gradient the
// optimizer follows, against the same numbers worked out in plain Go.
func TestRegularizedLoss(t *testing.T) {
	K := []float64{0.5, -0.3, 0.2, 0.8, -0.6, 0.1} // (3, 2)
	b := []float64{0.05, -0.1}
	x := []float64{1, 2, -1, 0.5, -0.5, 2, -1, 1, 0, 2, 0, 1} // (4, 3)
	y := []float64{1, 0, 0, 1, 0.5, 0.5, -1, 2}               // (4, 2)
	// The bias regularizer is given by name: "l1", factor 0.01.
	const l2k, l1b, l1a, l2a, lr = 0.1, 0.01, 0.01, 0.02, 0.1

	newModel := func() *keras.Model {
		m := keras.Sequential(layers.Dense(2, layers.InputShape(3),
			layers.KernelRegularizer(regularizers.L2(l2k)), layers.BiasRegularizer("l1"),
			layers.ActivityRegularizer(regularizers.L1L2(l1a, l2a))))
		if err := m.SetDtype(tensor.Float64); err != nil {
			t.Fatal(err)
		}
		if err := m.Compile(keras.Loss("mse"), keras.Optimizer(optimizers.SGD(optimizers.LearningRate(lr)))); err != nil {
			t.Fatal(err)
		}
		if err := m.SetWeights([]*tensor.Dense{
			tensor.New(tensor.WithShape(3, 2), tensor.WithBacking(append([]float64(nil), K...))),
			tensor.New(tensor.WithShape(2), tensor.WithBacking(append([]float64(nil), b...))),
		}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	// Plain-Go forward pass, loss and gradient.
	out := make([]float64, 8)
	for r := 0; r < 4; r++ {
		for j := 0; j < 2; j++ {
			out[r*2+j] = b[j]
			for i := 0; i < 3; i++ {
				out[r*2+j] += x[r*3+i] * K[i*2+j]
			}
		}
	}
	// The activity penalty is divided by the batch size (4), as Keras 3
	// does since 3.14 (keras-team/keras pull request 22021).
	var mse, pk, pb, pa float64
	dOut := make([]float64, 8)
	for i, o := range out {
		mse += (o - y[i]) * (o - y[i]) / 8
		pa += (l1a*math.Abs(o) + l2a*o*o) / 4
		dOut[i] = 2*(o-y[i])/8 + (l1a*math.Copysign(1, o)+2*l2a*o)/4
	}
	for _, k := range K {
		pk += l2k * k * k
	}
	for _, v := range b {
		pb += l1b * math.Abs(v)
	}
	want := mse + pk + pb + pa

	xt := tensor.New(tensor.WithShape(4, 3), tensor.WithBacking(x))
	yt := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking(y))
	m := newModel()
	scores, err := m.Evaluate(context.Background(), xt, yt, keras.BatchSize(4), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if got := scores["loss"]; math.Abs(got-want) > 1e-12 {
		t.Errorf("Evaluate loss %.15g, want %.15g (mse %.6g + penalties %.6g)", got, want, mse, pk+pb+pa)
	}

	h, err := m.Fit(context.Background(), xt, yt, keras.BatchSize(4), keras.Epochs(1), keras.Shuffle(false), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := h.Last("loss"); math.Abs(got-want) > 1e-12 {
		t.Errorf("Fit loss %.15g, want %.15g", got, want)
	}
	ws, err := m.GetWeights()
	if err != nil {
		t.Fatal(err)
	}
	gotK, gotB := ws[0].Data().([]float64), ws[1].Data().([]float64)
	for i := 0; i < 3; i++ {
		for j := 0; j < 2; j++ {
			g := 2 * l2k * K[i*2+j]
			for r := 0; r < 4; r++ {
				g += x[r*3+i] * dOut[r*2+j]
			}
			if w := K[i*2+j] - lr*g; math.Abs(gotK[i*2+j]-w) > 1e-12 {
				t.Errorf("kernel[%d,%d] after one step: %.15g, want %.15g", i, j, gotK[i*2+j], w)
			}
		}
	}
	for j := 0; j < 2; j++ {
		g := l1b * math.Copysign(1, b[j])
		for r := 0; r < 4; r++ {
			g += dOut[r*2+j]
		}
		if w := b[j] - lr*g; math.Abs(gotB[j]-w) > 1e-12 {
			t.Errorf("bias[%d] after one step: %.15g, want %.15g", j, gotB[j], w)
		}
	}

	// Predict is not affected by the penalties.
	p, err := m.Predict(context.Background(), xt, keras.Verbose(0))
	if err != nil || p.Shape()[0] != 4 {
		t.Fatalf("Predict: %v %v", p, err)
	}
}

// TestConstraintsDuringFit checks that constraints hold after every
// optimizer step of a real Fit.
func TestConstraintsDuringFit(t *testing.T) {
	m := keras.Sequential(
		layers.Dense(8, layers.Activation("relu"), layers.InputShape(3), layers.KernelConstraint("non_neg")),
		layers.Dense(1, layers.KernelConstraint(constraints.MaxNorm(constraints.MaxValue(0.5))),
			layers.BiasConstraint(constraints.MinMaxNorm(constraints.MinValue(0.2), constraints.MaxValue(0.3)))),
	)
	if err := m.SetSeed(3); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(keras.Loss("mse"), keras.Optimizer(optimizers.SGD(optimizers.LearningRate(0.5)))); err != nil {
		t.Fatal(err)
	}
	x, y := regression(64, 2)
	if _, err := m.Fit(context.Background(), x, y, keras.Epochs(2), keras.BatchSize(16), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	ws, err := m.GetWeights()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws[0].Data().([]float32) {
		if w < 0 {
			t.Fatalf("non_neg kernel has %v", w)
		}
	}
	var sq float64
	for _, w := range ws[2].Data().([]float32) {
		sq += float64(w) * float64(w)
	}
	if math.Sqrt(sq) > 0.5+1e-6 {
		t.Errorf("max_norm kernel column norm %v > 0.5", math.Sqrt(sq))
	}
	if bias := math.Abs(float64(ws[3].Data().([]float32)[0])); bias < 0.2-1e-6 || bias > 0.3+1e-6 {
		t.Errorf("min_max_norm bias %v outside [0.2, 0.3]", bias)
	}
}

// TestPenaltyOptionErrors checks that bad regularizer and constraint
// options are reported when the model is built.
func TestPenaltyOptionErrors(t *testing.T) {
	cases := []struct {
		layer layers.Layer
		want  string
	}{
		{layers.Dense(2, layers.InputShape(3), layers.KernelRegularizer("l3")), `unknown regularizer "l3" (known: l1, l1_l2, l2)`},
		{layers.Dense(2, layers.InputShape(3), layers.KernelRegularizer(regularizers.L1(-1))), "l1 = -1: must be a finite number >= 0"},
		{layers.Dense(2, layers.InputShape(3), layers.BiasConstraint("max")), `unknown constraint "max"`},
		{layers.Dense(2, layers.InputShape(3), layers.KernelConstraint(constraints.UnitNorm(constraints.Axis(2)))), "axis 2 does not exist in shape [3 2]"},
	}
	for _, c := range cases {
		err := keras.Sequential(c.layer).Build()
		if err == nil || !contains(err.Error(), c.want) {
			t.Errorf("error = %v, want it to contain %q", err, c.want)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
