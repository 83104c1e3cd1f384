package backend

import (
	"os"
	"strconv"

	"github.com/gokeras/gokeras/keras/internal/gemm"
	"github.com/gokeras/gokeras/keras/internal/par"
)

// WorkersEnv is the environment variable read at start-up as if passed to
// SetMaxWorkers: GOKERAS_MAX_WORKERS=1 keeps gokeras on one core.
const WorkersEnv = "GOKERAS_MAX_WORKERS"

func init() {
	if n, ok := workersFromEnv(os.Getenv(WorkersEnv)); ok {
		SetMaxWorkers(n)
	}
}

// workersFromEnv parses GOKERAS_MAX_WORKERS: a whole number >= 0; anything
// else (also an empty value) is ignored.
func workersFromEnv(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0
}

// SetMaxWorkers caps the goroutines that one operation may use: a matrix
// product, an element-wise op over a large tensor, an optimizer step over
// a large model, a recurrent layer's samples, the batches of one Predict
// call. n = 1 keeps all of gokeras's work on the calling goroutine, so a
// program uses one core (for servers that run one model per core, or for
// timing); n = 0 restores the default, two. More than two is allowed but
// unmeasured. Never more than GOMAXPROCS goroutines share an operation,
// and work is split only above sizes where splitting was measured to pay
// (docs/performance.md). Results do not depend on the setting: every
// split computes each element in the same order as one goroutine would.
// It is safe to call at any time; operations already running keep their
// split. The environment variable GOKERAS_MAX_WORKERS sets it at start-up.
//
// The goroutines that take the split parts stay awake, spinning, for a
// millisecond after each part, so that the next split starts at once: a
// program that trains or predicts with splits keeps its second core busy
// while it runs, which on a machine shared with other jobs costs them CPU
// time (a spinner gives its core up to any thread waiting for it every
// 16 us or so). A part no worker has taken when the caller is done with
// its own, the caller runs itself; a split whose worker lost its core in
// the middle of a part, the caller waits for, and then no work is split
// for 10 to 640 ms. On a 2-core machine with one core busy in another
// process, W1 trains at about one goroutine's speed this way
// (docs/performance.md). n = 1 ends the splits and the spinning.
func SetMaxWorkers(n int) {
	n = max(n, 0)
	par.SetMaxWorkers(n)
	gemm.SetMaxWorkers(n)
}

// MaxWorkers returns how many goroutines one operation may use now:
// SetMaxWorkers's cap (default two), at most GOMAXPROCS.
func MaxWorkers() int { return par.MaxWorkers() }

// workersForSize returns how many goroutines should share work on n
// elements when minElems elements per goroutine are needed for a split
// to pay.
func workersForSize(n, minElems int) int { return par.Workers(n, minElems) }

// fanOut runs f(0..w-1) on w goroutines (see par.Run).
func fanOut(w int, f func(q int)) { par.Run(w, f) }

// part returns the q-th of w contiguous parts of [0, n) (see par.Part).
func part(n, w, q, align int) (lo, hi int) { return par.Part(n, w, q, align) }
