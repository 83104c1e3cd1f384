package keras

import (
	"fmt"
	"io"
	"strings"

	"github.com/gokeras/gokeras/keras/layers"
)

// Summary writes the model's table in Keras 2's layout (line length 65):
// each layer's name and class, output shape and parameter count, then the
// totals. It builds the model if needed.
//
//	Model: "sequential"
//	_________________________________________________________________
//	Layer (type)                 Output Shape              Param #
//	=================================================================
//	dense (Dense)                (None, 64)                896
//	...
func (m *Model) Summary(w io.Writer) error {
	if err := m.Build(); err != nil {
		return err
	}
	const lineLength = 65
	positions := []int{29, 55, 65} // Keras 2's [.45, .85, 1.] of 65
	var b strings.Builder
	row := func(fields ...string) {
		line := ""
		for i, f := range fields {
			if i > 0 {
				line = line[:len(line)-1] + " "
			}
			line += f
			if len(line) > positions[i] {
				line = line[:positions[i]]
			}
			line += strings.Repeat(" ", positions[i]-len(line))
		}
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Model: %q\n", m.name)
	b.WriteString(strings.Repeat("_", lineLength) + "\n")
	row("Layer (type)", "Output Shape", "Param #")
	b.WriteString(strings.Repeat("=", lineLength) + "\n")
	var shown []layers.Layer
	for _, l := range m.layers {
		if _, isInput := l.(*layers.InputLayer); !isInput {
			shown = append(shown, l)
		}
	}
	var trainable, frozen int
	for i, l := range shown {
		params := 0
		for _, v := range l.Variables() {
			params += v.Size()
			if v.Trainable() {
				trainable += v.Size()
			} else {
				frozen += v.Size()
			}
		}
		out := "?"
		if o, ok := l.(interface{ OutputShape() []int }); ok {
			out = layers.ShapeString(o.OutputShape())
		}
		row(fmt.Sprintf("%s (%s)", l.Name(), l.ClassName()), out, fmt.Sprint(params))
		if i == len(shown)-1 {
			b.WriteString(strings.Repeat("=", lineLength) + "\n")
		} else {
			b.WriteString(strings.Repeat("_", lineLength) + "\n")
		}
	}
	fmt.Fprintf(&b, "Total params: %s\n", thousands(trainable+frozen))
	fmt.Fprintf(&b, "Trainable params: %s\n", thousands(trainable))
	fmt.Fprintf(&b, "Non-trainable params: %s\n", thousands(frozen))
	b.WriteString(strings.Repeat("_", lineLength) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// thousands formats n with comma separators, like Python's "{:,}".
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// CountParams returns the number of scalars in the model's weights.
func (m *Model) CountParams() (int, error) {
	if err := m.Build(); err != nil {
		return 0, err
	}
	n := 0
	for _, v := range m.vars {
		n += v.Size()
	}
	return n, nil
}
