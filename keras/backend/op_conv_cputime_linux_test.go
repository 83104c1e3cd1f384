package backend

import "golang.org/x/sys/unix"

// processNanos is the CPU time of the whole process (all threads). The
// benchmarks report it per op beside wall time: on the shared machine it
// leaves out time spent waiting for a core.
func processNanos() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}
