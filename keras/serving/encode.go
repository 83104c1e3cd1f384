package serving

import (
	"math"
	"strconv"
)

// The predict response encoder: TF Serving's JSON response
// (tensorflow_serving/util/json_tensor.cc, MakeJsonFromTensors). A
// row-format request is answered with {"predictions": [...]}, one entry
// per instance: the output's value, or an object of named outputs when
// the model has several. A columnar request is answered with
// {"outputs": ...}: the output's whole batch, or an object with one batch
// per named output.

// appendPredictResponse appends the JSON response for rows rows of the
// outputs described by specs.
func appendPredictResponse(b []byte, format requestFormat, specs []tensorSpec, rows int, outs []column) []byte {
	if format == rowFormat {
		b = append(b, `{"predictions":[`...)
		for r := 0; r < rows; r++ {
			if r > 0 {
				b = append(b, ',')
			}
			if len(specs) == 1 {
				b = appendSample(b, specs[0], outs[0], r)
				continue
			}
			b = append(b, '{')
			for i, s := range specs {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, s.name)
				b = append(b, ':')
				b = appendSample(b, s, outs[i], r)
			}
			b = append(b, '}')
		}
		return append(b, "]}"...)
	}
	b = append(b, `{"outputs":`...)
	if len(specs) == 1 {
		b = appendBatch(b, specs[0], outs[0], rows)
	} else {
		b = append(b, '{')
		for i, s := range specs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s.name)
			b = append(b, ':')
			b = appendBatch(b, s, outs[i], rows)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendBatch appends all rows of one output as a list.
func appendBatch(b []byte, s tensorSpec, c column, rows int) []byte {
	b = append(b, '[')
	for r := 0; r < rows; r++ {
		if r > 0 {
			b = append(b, ',')
		}
		b = appendSample(b, s, c, r)
	}
	return append(b, ']')
}

// appendSample appends row r of c, nested as s.shape.
func appendSample(b []byte, s tensorSpec, c column, r int) []byte {
	n := s.size()
	b, _ = appendNested(b, s.shape, c, r*n)
	return b
}

// appendNested appends the values from i on, nested as shape, and returns
// the index after them.
func appendNested(b []byte, shape []int, c column, i int) ([]byte, int) {
	if len(shape) == 0 {
		if c.dtype == float32Type {
			return appendFloat(b, float64(c.f32[i]), 32), i + 1
		}
		return appendFloat(b, c.f64[i], 64), i + 1
	}
	b = append(b, '[')
	for k := 0; k < shape[0]; k++ {
		if k > 0 {
			b = append(b, ',')
		}
		b, i = appendNested(b, shape[1:], c, i)
	}
	return append(b, ']'), i
}

// appendFloat appends v in the shortest form that reads back as the same
// value of its type (bits 32 or 64), with ".0" added to whole numbers so
// JSON readers see a float, as TF Serving writes them (WriteDecimal);
// non-finite values as TF Serving's NaN, Infinity and -Infinity tokens.
func appendFloat(b []byte, v float64, bits int) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, 1):
		return append(b, "Infinity"...)
	case math.IsInf(v, -1):
		return append(b, "-Infinity"...)
	}
	start := len(b)
	b = strconv.AppendFloat(b, v, 'g', -1, bits)
	for _, c := range b[start:] {
		if c == '.' || c == 'e' {
			return b
		}
	}
	return append(b, ".0"...)
}
