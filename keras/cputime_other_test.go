//go:build !linux

package keras_test

import "time"

// processCPU is not measured outside Linux; the benchmarks then report
// zero CPU time.
func processCPU() time.Duration { return 0 }
