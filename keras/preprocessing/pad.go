package preprocessing

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// PadSequences turns ragged sequences into a (len(seqs), maxLen) tensor,
// like Keras's pad_sequences: shorter sequences are padded with Value,
// longer ones cut.
//
// Accepted options: MaxLen (default: the longest sequence; MaxLen(0) is an
// error, as a tensor cannot be empty), Padding and Truncating ("pre", the
// default, or "post"), Value (default 0; with an integer Dtype it must be an
// integer that fits it, where NumPy would cast silently) and Dtype (Int32,
// the default as in Keras, Int64, Float32 or Float64). Integers convert to
// Float32 through float64, as NumPy converts Python ints.
func PadSequences(seqs [][]int, opts ...PadSequencesOption) (out *tensor.Dense, err error) {
	defer guard("PadSequences", &err)
	c, err := newConfig("PadSequences", opts, PadSequencesOption.padSequences)
	if err != nil {
		return nil, err
	}
	dt := c.dtype
	if dt == (tensor.Dtype{}) {
		dt = tensor.Int32
	}
	// MaxLen(0) is an explicit request for zero columns, not "unset":
	// Keras then returns an (n, 0) array (or fails to fit a sequence into
	// it), and a tensor cannot be empty.
	if c.maxLenSet && c.maxLen == 0 {
		return nil, errors.New("preprocessing: PadSequences: MaxLen(0) would give an empty tensor")
	}
	maxLen := c.maxLen
	if maxLen == 0 {
		for _, s := range seqs {
			if len(s) > maxLen {
				maxLen = len(s)
			}
		}
	}
	if len(seqs) == 0 || maxLen == 0 {
		return nil, errors.Errorf("preprocessing: PadSequences: %d sequences of length up to %d: a tensor cannot be empty", len(seqs), maxLen)
	}
	if (dt == tensor.Int32 || dt == tensor.Int64) && c.value != math.Trunc(c.value) {
		return nil, errors.Errorf("preprocessing: PadSequences: Value(%v) is not an integer, but Dtype is %v", c.value, dt)
	}
	// NumPy's np.full casts an out-of-range value unsafely (1e10 becomes
	// -2^31 in int32, with only a warning); refuse it instead.
	if (dt == tensor.Int32 && (c.value < math.MinInt32 || c.value > math.MaxInt32)) ||
		(dt == tensor.Int64 && (c.value < -(1<<63) || c.value >= 1<<63)) {
		return nil, errors.Errorf("preprocessing: PadSequences: Value(%v) does not fit in %v", c.value, dt)
	}
	grid := make([]float64, len(seqs)*maxLen)
	for i := range grid {
		grid[i] = c.value
	}
	for i, s := range seqs {
		if len(s) > maxLen {
			if c.truncating == "pre" {
				s = s[len(s)-maxLen:]
			} else {
				s = s[:maxLen]
			}
		}
		row := grid[i*maxLen : (i+1)*maxLen]
		start := 0
		if c.padding == "pre" {
			start = maxLen - len(s)
		}
		for k, v := range s {
			if dt == tensor.Int32 && (v > math.MaxInt32 || v < math.MinInt32) {
				return nil, errors.Errorf("preprocessing: PadSequences: value %d in sequence %d does not fit in int32", v, i)
			}
			row[start+k] = float64(v)
		}
	}
	shape := []int{len(seqs), maxLen}
	switch dt {
	case tensor.Int32:
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(convert[float64, int32](grid))), nil
	case tensor.Int64:
		// float64 holds every int exactly up to 2^53; copy the ints directly
		// to stay exact beyond that.
		out := convert[float64, int64](grid)
		for i, s := range seqs {
			if len(s) > maxLen {
				if c.truncating == "pre" {
					s = s[len(s)-maxLen:]
				} else {
					s = s[:maxLen]
				}
			}
			start := 0
			if c.padding == "pre" {
				start = maxLen - len(s)
			}
			for k, v := range s {
				out[i*maxLen+start+k] = int64(v)
			}
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(out)), nil
	}
	return fromFloat64s(grid, dt, shape...), nil
}
