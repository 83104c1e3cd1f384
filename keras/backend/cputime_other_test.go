//go:build !linux

package backend_test

// processNanos is not measured on this OS; benchmarks report 0 CPU time.
func processNanos() int64 { return 0 }
