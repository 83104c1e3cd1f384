//go:build !linux

package backend

// processNanos is not measured outside Linux; the benchmarks then report
// wall time only.
func processNanos() int64 { return 0 }
