package backend

import (
	"runtime"
	"testing"
)

func TestSetMaxWorkers(t *testing.T) {
	defer SetMaxWorkers(0)
	procs := runtime.GOMAXPROCS(0)
	for _, c := range []struct{ set, want int }{
		{1, 1},
		{0, min(2, procs)},
		{-3, min(2, procs)},
		{64, min(64, procs)},
	} {
		SetMaxWorkers(c.set)
		if got := MaxWorkers(); got != c.want {
			t.Errorf("SetMaxWorkers(%d): MaxWorkers() = %d, want %d", c.set, got, c.want)
		}
	}
}

func TestWorkersFromEnv(t *testing.T) {
	for _, c := range []struct {
		s  string
		n  int
		ok bool
	}{{"1", 1, true}, {"0", 0, true}, {"8", 8, true}, {"", 0, false}, {"-1", -1, false}, {"two", 0, false}} {
		n, ok := workersFromEnv(c.s)
		if ok != c.ok || (ok && n != c.n) {
			t.Errorf("workersFromEnv(%q) = %d, %v; want %d, %v", c.s, n, ok, c.n, c.ok)
		}
	}
}
