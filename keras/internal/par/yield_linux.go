package par

import (
	"runtime"
	"syscall"
)

// yield lets other goroutines run and, on every 16th turn i of a spin
// (some 16 us), gives the thread's core up for the rest of its turn when
// another thread (of this process or another) is waiting for it, so that
// a spinning goroutine never keeps a busy machine's work off the core.
// Doing that on every turn delayed the hand-off of a split by about a
// microsecond (BenchmarkRunHandOff).
func yield(i int) {
	runtime.Gosched()
	if i&15 == 15 {
		syscall.RawSyscall(syscall.SYS_SCHED_YIELD, 0, 0, 0)
	}
}
