package gemm

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// threadTimer measures the CPU time of the calling OS thread, which the
// benchmarks report beside wall time: on a shared, oversubscribed machine
// it leaves out the time the thread waited for a core.
type threadTimer struct{ start int64 }

func startThreadTimer() threadTimer {
	runtime.LockOSThread()
	return threadTimer{threadNanos()}
}

// stop returns the CPU seconds since start, or 0 where unsupported.
func (t threadTimer) stop() float64 {
	d := threadNanos() - t.start
	runtime.UnlockOSThread()
	return float64(d) / 1e9
}

func threadNanos() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}
