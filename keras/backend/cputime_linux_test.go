package backend_test

import "golang.org/x/sys/unix"

// processNanos returns the CPU time of the whole process (all threads).
// The RNN benchmarks report it beside wall time: on the shared,
// oversubscribed machine it leaves out the time spent waiting for a core
// and charges a two-goroutine run for both cores.
func processNanos() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}
