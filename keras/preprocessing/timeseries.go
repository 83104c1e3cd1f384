package preprocessing

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/randomstate"
)

type timeseriesConfig struct {
	stride, rate int
	start, end   int // end -1: len(data)
	shuffle      bool
	seed         uint32
}

// TimeseriesOption is an optional argument of TimeseriesDatasetFromArray.
type TimeseriesOption interface {
	applyTimeseries(*timeseriesConfig) error
}

type timeseriesOption func(*timeseriesConfig) error

func (f timeseriesOption) applyTimeseries(c *timeseriesConfig) error { return f(c) }

func (o ShufflingOption) applyTimeseries(c *timeseriesConfig) error { c.shuffle = o.on; return nil }

func (o ShuffleSeedOption) applyTimeseries(c *timeseriesConfig) error {
	s, err := o.check()
	c.seed = s
	return err
}

// SequenceStride sets the number of time steps between the starts of two
// consecutive windows (Keras sequence_stride); s >= 1 and less than the
// number of time steps. Default: 1.
func SequenceStride(s int) TimeseriesOption {
	return timeseriesOption(func(c *timeseriesConfig) error {
		if s < 1 {
			return errors.Errorf("SequenceStride(%d): want >= 1", s)
		}
		c.stride = s
		return nil
	})
}

// SamplingRate sets the number of time steps between two consecutive steps
// of a window (Keras sampling_rate): a window starting at i holds
// data[i], data[i+r], ..., data[i+(sequenceLength-1)*r]. r >= 1 and less
// than the number of time steps. Default: 1.
func SamplingRate(r int) TimeseriesOption {
	return timeseriesOption(func(c *timeseriesConfig) error {
		if r < 1 {
			return errors.Errorf("SamplingRate(%d): want >= 1", r)
		}
		c.rate = r
		return nil
	})
}

// StartIndex makes windows use only time steps from i on (Keras
// start_index); 0 <= i < number of time steps. Default: 0.
func StartIndex(i int) TimeseriesOption {
	return timeseriesOption(func(c *timeseriesConfig) error {
		if i < 0 {
			return errors.Errorf("StartIndex(%d): want >= 0", i)
		}
		c.start = i
		return nil
	})
}

// EndIndex makes windows use only time steps before i (Keras end_index,
// exclusive); StartIndex < i <= number of time steps (Keras also rejects
// i equal to the number of steps, which means the same as no EndIndex).
// Default: the number of time steps.
func EndIndex(i int) TimeseriesOption {
	return timeseriesOption(func(c *timeseriesConfig) error {
		if i < 1 {
			return errors.Errorf("EndIndex(%d): want >= 1", i)
		}
		c.end = i
		return nil
	})
}

// TimeseriesDatasetFromArray cuts data into sliding windows, like
// keras.utils.timeseries_dataset_from_array (Keras 3,
// keras/src/utils/timeseries_dataset_utils.py). data has the time steps
// along its first axis, (T, features...), in any dtype; the result windows
// has shape (W, sequenceLength, features...) and data's dtype, where
// window k starts at step start + p_k, p_k = k*stride, and holds steps
// start + p_k + j*rate for j = 0..sequenceLength-1. The number of start
// positions is taken from range(0, T', stride) with
// T' = end - start - (sequenceLength-1)*rate, as in Keras, and with targets
// T' is at most targets' length.
//
// targets may be nil; otherwise its first axis is time too, and the second
// result holds targets[start + p_k] for each window (Keras: "targets[i]
// should be the target corresponding to the window that starts at index
// i"), shape (W, targets' other axes...), in targets' dtype. To predict the
// step after each window, pass data[:T-L] and targets data[L:].
//
// With Shuffling(true) the windows are in the order of NumPy's
// RandomState(seed).shuffle of the start positions, as in Keras; Keras then
// also shuffles inside a tf.data buffer and batches by batch_size, both
// left to Fit here (the result is all windows at once).
//
// Options: SequenceStride (1), SamplingRate (1), StartIndex (0), EndIndex
// (T), Shuffling (false), ShuffleSeed (0). Errors: a window longer than
// [start, end), non-positive sizes, indices out of range, targets too short
// for a window's start, and a result of more than 2^31 values (the error
// gives the numbers).
func TimeseriesDatasetFromArray(data, targets *tensor.Dense, sequenceLength int, opts ...TimeseriesOption) (windows, windowTargets *tensor.Dense, err error) {
	defer guard("TimeseriesDatasetFromArray", &err)
	fail := func(err error) (*tensor.Dense, *tensor.Dense, error) {
		return nil, nil, errors.WithMessage(err, "preprocessing: TimeseriesDatasetFromArray")
	}
	c := &timeseriesConfig{stride: 1, rate: 1, end: -1}
	for i, o := range opts {
		if o == nil {
			return fail(errors.Errorf("option %d is nil", i))
		}
		if err := o.applyTimeseries(c); err != nil {
			return fail(err)
		}
	}
	if data == nil {
		return fail(errors.New("data is nil"))
	}
	steps, width, err := samples(data)
	if err != nil {
		return fail(errors.WithMessage(err, "data"))
	}
	if sequenceLength < 1 {
		return fail(errors.Errorf("sequenceLength %d, want >= 1", sequenceLength))
	}
	// The range checks of timeseries_dataset_from_array.
	if c.start >= steps {
		return fail(errors.Errorf("StartIndex(%d) must be below the %d time steps", c.start, steps))
	}
	if c.end < 0 {
		c.end = steps
	}
	if c.end <= c.start {
		return fail(errors.Errorf("EndIndex(%d) must be above StartIndex(%d)", c.end, c.start))
	}
	if c.end > steps {
		return fail(errors.Errorf("EndIndex(%d) is beyond the %d time steps", c.end, steps))
	}
	if c.rate >= steps {
		return fail(errors.Errorf("SamplingRate(%d) must be below the %d time steps", c.rate, steps))
	}
	if c.stride >= steps {
		return fail(errors.Errorf("SequenceStride(%d) must be below the %d time steps", c.stride, steps))
	}
	avail := c.end - c.start
	if sequenceLength-1 > (avail-1)/c.rate {
		return fail(errors.Errorf("a window of %d steps at sampling rate %d spans more than the %d steps in [%d, %d)", sequenceLength, c.rate, avail, c.start, c.end))
	}
	numSeqs := avail - (sequenceLength-1)*c.rate
	var tsteps, twidth int
	if targets != nil {
		if tsteps, twidth, err = samples(targets); err != nil {
			return fail(errors.WithMessage(err, "targets"))
		}
		numSeqs = min(numSeqs, tsteps)
	}
	count := (numSeqs + c.stride - 1) / c.stride
	positions := make([]int, count)
	for k := range positions {
		positions[k] = k * c.stride
	}
	if targets != nil {
		// Keras gathers targets[start:end][p]: a start beyond targets'
		// end is an out-of-range gather there.
		if last := c.start + positions[count-1]; last >= tsteps {
			return fail(errors.Errorf("targets has %d steps, but the window starting at step %d needs targets[%d]", tsteps, last, last))
		}
	}
	if err := checkSize("TimeseriesDatasetFromArray", count, sequenceLength); err != nil {
		return fail(errors.Cause(err))
	}
	if err := checkSize("TimeseriesDatasetFromArray", count*sequenceLength, width); err != nil {
		return nil, nil, errors.Errorf("preprocessing: TimeseriesDatasetFromArray: %d windows of %d steps of %d values each would hold more than %d values", count, sequenceLength, width, maxOutputValues)
	}
	if c.shuffle {
		perm := randomstate.New(c.seed).Permutation(count)
		shuffled := make([]int, count)
		for k, p := range perm {
			shuffled[k] = positions[p]
		}
		positions = shuffled
	}
	x, err := contiguous(data)
	if err != nil {
		return fail(errors.WithMessage(err, "data"))
	}
	out, err := gatherWindows(x.Data(), width, c.start, sequenceLength, c.rate, positions)
	if err != nil {
		return fail(errors.WithMessage(err, "data"))
	}
	shape := append([]int{count, sequenceLength}, data.Shape()[1:]...)
	windows = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(out))
	if targets == nil {
		return windows, nil, nil
	}
	if err := checkSize("TimeseriesDatasetFromArray", count, twidth); err != nil {
		return fail(errors.Cause(err))
	}
	rows := make([]int, count)
	for k, p := range positions {
		rows[k] = c.start + p
	}
	windowTargets, err = takeRows(targets, rows)
	if err != nil {
		return fail(errors.WithMessage(err, "targets"))
	}
	return windows, windowTargets, nil
}

// gatherWindows copies the windows out of the row-major data d (rows of
// width values), allocating exactly len(positions)*length*width values.
func gatherWindows(d any, width, start, length, rate int, positions []int) (any, error) {
	switch s := d.(type) {
	case []float64:
		return windowsOf(s, width, start, length, rate, positions), nil
	case []float32:
		return windowsOf(s, width, start, length, rate, positions), nil
	case []int:
		return windowsOf(s, width, start, length, rate, positions), nil
	case []int8:
		return windowsOf(s, width, start, length, rate, positions), nil
	case []int16:
		return windowsOf(s, width, start, length, rate, positions), nil
	case []int32:
		return windowsOf(s, width, start, length, rate, positions), nil
	case []int64:
		return windowsOf(s, width, start, length, rate, positions), nil
	case []uint:
		return windowsOf(s, width, start, length, rate, positions), nil
	case []uint8:
		return windowsOf(s, width, start, length, rate, positions), nil
	case []uint16:
		return windowsOf(s, width, start, length, rate, positions), nil
	case []uint32:
		return windowsOf(s, width, start, length, rate, positions), nil
	case []uint64:
		return windowsOf(s, width, start, length, rate, positions), nil
	case []bool:
		return windowsOf(s, width, start, length, rate, positions), nil
	}
	return nil, errors.Errorf("element type %T not supported", d)
}

func windowsOf[T any](src []T, width, start, length, rate int, positions []int) []T {
	out := make([]T, 0, len(positions)*length*width)
	for _, p := range positions {
		for j := 0; j < length; j++ {
			r := start + p + j*rate
			out = append(out, src[r*width:(r+1)*width]...)
		}
	}
	return out
}
