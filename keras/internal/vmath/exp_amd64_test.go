//go:build amd64 && !purego

package vmath

import (
	"os"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestVectorInUse: on a CPU with AVX2 and FMA, and no GODEBUG changing the
// runtime's view of it, the assembly loop agrees with math.Exp and runs
// (otherwise every exactness test here would only test math.Exp itself).
func TestVectorInUse(t *testing.T) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA || os.Getenv("GODEBUG") != "" {
		t.Skip("no AVX2 and FMA, or GODEBUG set")
	}
	if !vectorOK || !useVector {
		t.Fatalf("vectorOK=%v useVector=%v: the loop disagrees with math.Exp on its probes", vectorOK, useVector)
	}
}
