package keras_test

import (
	"time"

	"golang.org/x/sys/unix"
)

// processCPU is the CPU time of the whole process (all threads), which
// the benchmarks report beside wall time: on a shared machine it leaves
// out the time spent waiting for a core.
func processCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
