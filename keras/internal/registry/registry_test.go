package registry

import (
	"fmt"
	"sync"
	"testing"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/kerrors"
)

func TestRegistry(t *testing.T) {
	r := New[int]("losses", "loss")
	r.Builtin("mean_squared_error", 1)
	r.Alias("mse", "mean_squared_error")
	if v, err := r.Get("mse"); err != nil || v != 1 {
		t.Fatalf("Get(mse) = %v, %v", v, err)
	}
	if r.Canonical("mse") != "mean_squared_error" || r.Canonical("x") != "x" {
		t.Error("Canonical")
	}
	if err := r.Register("mse", 2); err == nil {
		t.Error("an alias could be registered over")
	}
	if err := r.Register("", 2); err == nil {
		t.Error("the empty name could be registered")
	}
	if err := r.Register("mine", 3); err != nil {
		t.Fatal(err)
	}
	_, err := r.Get("msee")
	var un *kerrors.UnknownNameError
	if !errors.As(err, &un) {
		t.Fatalf("Get(msee) = %v, want an UnknownNameError", err)
	}
	if fmt.Sprint(un.Known) != "[mean_squared_error mine mse]" || un.Name != "msee" || un.Kind != "loss" {
		t.Errorf("UnknownNameError = %+v", un)
	}
	if want := `losses: unknown loss "msee" (known: mean_squared_error, mine, mse); register it with losses.Register`; err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
}

func TestConcurrentUse(t *testing.T) {
	r := New[int]("layers", "layer class")
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				_ = r.Register(fmt.Sprintf("c%d_%d", g, i), i)
				_, _ = r.Get(fmt.Sprintf("c%d_%d", (g+1)%16, i))
				_ = r.Names()
			}
		}(g)
	}
	wg.Wait()
	if n := len(r.Names()); n != 1600 {
		t.Errorf("%d names, want 1600", n)
	}
}
