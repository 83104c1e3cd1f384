package backend

import (
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestRunSync checks that running Gorgonia's loop on the calling goroutine
// computes what RunAll computes, and reports op errors the same way.
func TestRunSync(t *testing.T) {
	build := func() (G.VM, *G.Node, *G.Value) {
		g := G.NewGraph()
		x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x"),
			G.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))))
		w := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 2), G.WithName("w"),
			G.WithValue(tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{1, 0, 0, 1, 1, 1}))))
		y, err := MatMul(x, w, false, false)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Softmax(y)
		if err != nil {
			t.Fatal(err)
		}
		var v G.Value
		G.Read(s, &v)
		return G.NewTapeMachine(g), s, &v
	}
	vmA, _, a := build()
	if err := vmA.RunAll(); err != nil {
		t.Fatal(err)
	}
	vmB, _, b := build()
	errCh, done := make(chan error, 1), make(chan struct{}, 1)
	for i := 0; i < 3; i++ {
		vmB.Reset()
		if err := runSync(vmB, errCh, done); err != nil {
			t.Fatal(err)
		}
		da, db := (*a).Data().([]float64), (*b).Data().([]float64)
		for j := range da {
			if da[j] != db[j] {
				t.Fatalf("run %d: runSync gave %v, RunAll %v", i, db, da)
			}
		}
	}
	// An op error surfaces as an error.
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("x"))
	s, _ := Softmax(x)
	var v G.Value
	G.Read(s, &v)
	vm := G.NewTapeMachine(g)
	if err := runSync(vm, errCh, done); err == nil {
		t.Error("running a graph with an unbound input should fail")
	}
}

// TestGorgoniaVersion fails unless the build uses the Gorgonia version
// whose tape machine runSync was verified against: the linkname into its
// run loop is only safe for that version. The version is read from the
// source path the compiler recorded for Gorgonia's code (the module
// cache's "gorgonia.org/gorgonia@<version>/"), so a replace directive or
// another version fails too.
func TestGorgoniaVersion(t *testing.T) {
	fn := runtime.FuncForPC(reflect.ValueOf(G.NewTapeMachine).Pointer())
	if fn == nil {
		t.Fatal("cannot find G.NewTapeMachine's code")
	}
	file, _ := fn.FileLine(fn.Entry())
	want := "gorgonia.org/gorgonia@" + VerifiedGorgonia + "/"
	if !strings.Contains(filepath.ToSlash(file), want) {
		t.Fatalf("Gorgonia's code comes from %s, not from %s: backend/run_sync.go calls into the tape machine of %s; re-verify it (TestRunSync) and update VerifiedGorgonia", file, want, VerifiedGorgonia)
	}
}

// fakeVM is a VM that is not Gorgonia's tape machine.
type fakeVM struct{ runs int }

func (f *fakeVM) RunAll() error { f.runs++; return nil }
func (f *fakeVM) Reset()        {}
func (f *fakeVM) Close() error  { return nil }

// TestRunProgramFallsBack: a VM of another type runs through RunAll, not
// the linked loop.
func TestRunProgramFallsBack(t *testing.T) {
	f := &fakeVM{}
	if err := runProgram(f, make(chan error, 1), make(chan struct{}, 1)); err != nil || f.runs != 1 {
		t.Fatalf("runProgram: err %v, RunAll called %d times", err, f.runs)
	}
}
