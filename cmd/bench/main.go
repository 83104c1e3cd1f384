// Command bench runs the reference workloads of ../shared/bench (see the
// README there) with gokeras and prints one machine-readable line per
// figure, so that anyone can reproduce docs/performance.md:
//
//	go run ./cmd/bench -w W1|W2|W3|W4|W5|W6|all [-runs 5] [-epochs 5] [-clock wall|cpu] [-workers 0] [-w1-batch 32,512] [-cpuprofile file]
//
// The lines are (more INFO lines accompany them):
//
//	RESULT W1 bs=32 s_per_epoch=<v>
//	RESULT W1 bs=512 s_per_epoch=<v>
//	RESULT W2 s_per_100=<v>
//	RESULT W3 s_total=<v>
//	RESULT W4 latency_us=<v> rows10000_ms=<v>
//	RESULT W5 s_per_100=<v>
//	RESULT W6 s_per_100=<v>
//
// W1 also prints, per batch size, how much of the two-core sgemm peak an
// epoch reaches, counting the 24.55 GFLOP of matrix products it needs:
//
//	INFO W1 bs=512 gflop_per_epoch=24.55 gflops=<v> sgemm_peak_gflops=<median> (<before>,<after epoch 1>,...) peak_share=<gflops/peak>
//
// The peak is gokeras's own float32 product on both cores, the best
// median of three shapes (1024³, 512³ and W1's 512×128×784), measured for
// 0.3 s before the training and after every epoch (outside the epoch's
// time); the share divides the median epoch's rate by the median of
// those peaks, both from the same minute of the same machine.
//
// Every figure is the median of several runs inside one process: W1 of
// the epochs of one 5-epoch training, W3 of -runs trainings, W4 of 2,000
// single-row calls and of ten 10,000-row calls, W2, W5 and W6 of three
// runs of 100 training steps (after a warm-up step).
//
// -clock cpu reports process CPU seconds instead of wall-clock seconds: on
// a machine shared with other jobs they do not depend on how long the
// process waited for a core, but they add up the time of every core used,
// so they measure cost, not speed. cmd/bench/compare.sh runs this command
// and PyTorch's torch_reference.py interleaved and prints the ratios.
//
// -workers n caps the goroutines gokeras uses for one operation
// (keras.SetMaxWorkers; 1 keeps everything on one core; 0, the default,
// leaves gokeras's own choice).
//
// The data sets are read from Keras's cache ($KERAS_HOME/datasets, or
// ~/.keras/datasets), never downloaded.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gokeras/gokeras/keras"
)

// config holds the command-line settings every workload sees.
type config struct {
	runs    int    // repetitions of W3 (W1 uses its epochs, W4 its calls)
	epochs  int    // W1 epochs per training
	clock   string // "wall" or "cpu"
	out     io.Writer
	workers int
	w1Batch []int // W1 batch sizes
}

// workload runs one reference workload and prints its RESULT line(s).
type workload struct {
	id   string
	desc string
	run  func(ctx context.Context, c *config) error
}

var workloads = []workload{
	{"W1", "Fashion-MNIST MLP 784-128-10, Adam, batch 32 and 512, s per 60k epoch", runW1},
	{"W2", "MNIST CNN, Adam, batch 128, s per 100 steps", runW2},
	{"W3", "Boston 64-64-1, RMSprop, batch 32, validation split 0.2, 500 epochs, s total", runW3},
	{"W4", "the W1 model predicting one row (us) and 10,000 rows in one call (ms)", runW4},
	{"W5", "Embedding(10000, 64) -> LSTM(64) -> Dense(1), Adam, batch 32, s per 100 steps", runW5},
	{"W6", "Embedding(10000, 64) -> GRU(64) -> Dense(1), Adam, batch 32, s per 100 steps", runW6},
}

func main() {
	c := &config{out: os.Stdout}
	which := flag.String("w", "all", "workloads to run: W1..W6, comma-separated, or all")
	flag.IntVar(&c.runs, "runs", 5, "repetitions of W3 (the median is reported)")
	flag.IntVar(&c.epochs, "epochs", 5, "W1 epochs per training (the median epoch is reported)")
	flag.StringVar(&c.clock, "clock", "wall", "what the RESULT lines measure: wall (elapsed seconds) or cpu (process CPU seconds)")
	flag.IntVar(&c.workers, "workers", 0, "goroutines per operation (keras.SetMaxWorkers; 0: gokeras's default)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	w1bs := flag.String("w1-batch", "32,512", "W1 batch sizes, comma-separated (RESULT lines for each)")
	flag.Parse()
	for _, f := range strings.Split(*w1bs, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "bench: -w1-batch %q: want batch sizes >= 1\n", *w1bs)
			os.Exit(1)
		}
		c.w1Batch = append(c.w1Batch, n)
	}
	if err := c.check(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if c.workers > 0 {
		keras.SetMaxWorkers(c.workers)
	}
	sel, err := selectWorkloads(*which)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer f.Close()
	}
	status := run(c, sel)
	pprof.StopCPUProfile()
	os.Exit(status)
}

// run runs the selected workloads and returns the exit status.
func run(c *config, sel []workload) int {
	fmt.Fprintf(c.out, "INFO clock=%s workers=%d gokeras_workers=%d load=%s\n", c.clock, c.workers, keras.MaxWorkers(), loadAverage())
	status := 0
	for _, w := range sel {
		start := time.Now()
		if err := w.run(context.Background(), c); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", w.id, err)
			status = 1
			continue
		}
		fmt.Fprintf(c.out, "INFO %s done in %.1f s, load=%s\n", w.id, time.Since(start).Seconds(), loadAverage())
	}
	return status
}

func (c *config) check() error {
	switch {
	case c.runs < 1:
		return fmt.Errorf("-runs %d: need at least 1", c.runs)
	case c.epochs < 1:
		return fmt.Errorf("-epochs %d: need at least 1", c.epochs)
	case c.clock != "wall" && c.clock != "cpu":
		return fmt.Errorf("-clock %q: want wall or cpu", c.clock)
	case c.workers < 0:
		return fmt.Errorf("-workers %d: want 0 (default) or more", c.workers)
	}
	return nil
}

// selectWorkloads parses -w.
func selectWorkloads(s string) ([]workload, error) {
	if s == "all" {
		return workloads, nil
	}
	var out []workload
	for _, id := range strings.Split(s, ",") {
		id = strings.ToUpper(strings.TrimSpace(id))
		found := false
		for _, w := range workloads {
			if w.id == id {
				out = append(out, w)
				found = true
			}
		}
		if !found {
			var ids []string
			for _, w := range workloads {
				ids = append(ids, w.id+" ("+w.desc+")")
			}
			return nil, fmt.Errorf("unknown workload %q; the workloads are %s", id, strings.Join(ids, ", "))
		}
	}
	return out, nil
}

// stopwatch measures one interval on both clocks.
type stopwatch struct {
	wall time.Time
	cpu  time.Duration
}

func startWatch() stopwatch { return stopwatch{wall: time.Now(), cpu: processCPU()} }

// elapsed returns the seconds since start on both clocks.
func (s stopwatch) elapsed() (wall, cpu float64) {
	return time.Since(s.wall).Seconds(), (processCPU() - s.cpu).Seconds()
}

// pick returns the figure of the configured clock.
func (c *config) pick(wall, cpu float64) float64 {
	if c.clock == "cpu" {
		return cpu
	}
	return wall
}

// median returns the median of xs (the mean of the middle two for an even
// count); NaN-free input assumed, xs is not modified.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// quantile returns the q-quantile of xs (nearest rank), xs unmodified.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// list formats xs for an INFO line.
func list(xs []float64, format string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf(format, x)
	}
	return strings.Join(parts, ",")
}

// loadAverage returns the 1-, 5- and 15-minute load averages, or "n/a".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], "/")
}
