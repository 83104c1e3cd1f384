package gemm

import "golang.org/x/sys/unix"

// cpuTimer measures the CPU time of the whole process (all threads),
// which the benchmarks report beside wall time as GFLOP per CPU-second: on
// a shared, oversubscribed machine it leaves out the time spent waiting
// for a core, and it charges a multi-threaded product for every core it
// used, so gonum's parallel Sgemm and a one-goroutine kernel compare fairly.
type cpuTimer struct{ start int64 }

func startCPUTimer() cpuTimer { return cpuTimer{processNanos()} }

// stop returns the CPU seconds since start, or 0 where unsupported.
func (t cpuTimer) stop() float64 { return float64(processNanos()-t.start) / 1e9 }

func processNanos() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}
