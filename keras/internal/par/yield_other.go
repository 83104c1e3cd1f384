//go:build !linux

package par

import "runtime"

// yield lets other goroutines run (see yield_linux.go).
func yield(int) { runtime.Gosched() }
