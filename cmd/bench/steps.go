package main

import (
	"context"
	"fmt"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
)

// stepRuns is how many times W2, W5 and W6 time their 100 training steps
// (the RESULT line is the median).
const stepRuns = 3

// timeSteps trains the compiled model m on x, y in consecutive batches of
// bs rows (one epoch, no shuffling, as torch_reference.py takes them),
// after a warm-up step that builds the training program, stepRuns times,
// and prints the median seconds per 100 steps as "RESULT <id>
// s_per_100=<v>" with an INFO line of every run.
func timeSteps(ctx context.Context, c *config, id string, m *keras.Model, x, y *tensor.Dense, bs int) error {
	steps := x.Shape()[0] / bs
	warmX, err := x.Slice(sliceTo(bs))
	if err != nil {
		return err
	}
	warmY, err := y.Slice(sliceTo(bs))
	if err != nil {
		return err
	}
	if _, err := m.Fit(ctx, warmX, warmY, keras.BatchSize(bs), keras.Verbose(0)); err != nil {
		return err
	}
	var wall, cpu []float64
	for r := 0; r < stepRuns; r++ {
		watch := startWatch()
		if _, err := m.Fit(ctx, x, y, keras.BatchSize(bs), keras.Shuffle(false), keras.Verbose(0)); err != nil {
			return err
		}
		w, cp := watch.elapsed()
		wall, cpu = append(wall, w*100/float64(steps)), append(cpu, cp*100/float64(steps))
	}
	fmt.Fprintf(c.out, "RESULT %s s_per_100=%.3f\n", id, c.pick(median(wall), median(cpu)))
	fmt.Fprintf(c.out, "INFO %s steps=%d bs=%d runs=%d wall_s_per_100=%s cpu_s_per_100=%s weights_fnv=%s\n",
		id, steps, bs, stepRuns, list(wall, "%.3f"), list(cpu, "%.3f"), weightsHash(m))
	return nil
}

// sliceTo is the tensor.Slice of the first n rows.
type sliceTo int

func (s sliceTo) Start() int { return 0 }
func (s sliceTo) End() int   { return int(s) }
func (s sliceTo) Step() int  { return 1 }
