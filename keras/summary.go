package keras

import (
	"fmt"
	"io"
	"strings"

	"github.com/gokeras/gokeras/keras/layers"
)

// Summary writes the model's table in Keras 2's layout and builds the
// model if needed. A Sequential model gets the 65-column table of each
// layer's name and class, output shape and parameter count; a functional
// model the 98-column table with a "Connected to" column naming each
// layer's inputs as layer[node][tensor], its input layers listed too.
// The totals follow: weights the optimizer does not update (frozen layers,
// BatchNormalization's moving statistics) count as non-trainable.
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
	var b strings.Builder
	fmt.Fprintf(&b, "Model: %q\n", m.Name())
	if m.sequential {
		m.sequentialTable(&b)
	} else {
		m.functionalTable(&b)
	}
	var trainable, frozen int
	for _, v := range m.vars {
		if v.Trainable() {
			trainable += v.Size()
		} else {
			frozen += v.Size()
		}
	}
	lineLength := 65
	if !m.sequential {
		lineLength = 98
	}
	fmt.Fprintf(&b, "Total params: %s\n", thousands(trainable+frozen))
	fmt.Fprintf(&b, "Trainable params: %s\n", thousands(trainable))
	fmt.Fprintf(&b, "Non-trainable params: %s\n", thousands(frozen))
	b.WriteString(strings.Repeat("_", lineLength) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// tableRow formats fields into columns ending at positions, Keras's way:
// each field cut to its column, one space before the next.
func tableRow(b *strings.Builder, positions []int, fields ...string) {
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

func (m *Model) sequentialTable(b *strings.Builder) {
	const lineLength = 65
	positions := []int{29, 55, 65} // Keras 2's [.45, .85, 1.] of 65
	b.WriteString(strings.Repeat("_", lineLength) + "\n")
	tableRow(b, positions, "Layer (type)", "Output Shape", "Param #")
	b.WriteString(strings.Repeat("=", lineLength) + "\n")
	var shown []layers.Layer
	for _, l := range m.g.Layers() {
		if _, isInput := l.(*layers.InputLayer); !isInput {
			shown = append(shown, l)
		}
	}
	for i, l := range shown {
		tableRow(b, positions, fmt.Sprintf("%s (%s)", l.Name(), l.ClassName()), outputShapeOf(l), fmt.Sprint(paramCount(l)))
		if i == len(shown)-1 {
			b.WriteString(strings.Repeat("=", lineLength) + "\n")
		} else {
			b.WriteString(strings.Repeat("_", lineLength) + "\n")
		}
	}
}

func (m *Model) functionalTable(b *strings.Builder) {
	const lineLength = 98
	positions := []int{32, 53, 65, 98} // Keras 2's [.33, .55, .67, 1.] of 98
	b.WriteString(strings.Repeat("_", lineLength) + "\n")
	tableRow(b, positions, "Layer (type)", "Output Shape", "Param #", "Connected to")
	b.WriteString(strings.Repeat("=", lineLength) + "\n")
	ls := m.g.Layers()
	for i, l := range ls {
		var inbound []string
		for _, n := range l.LayerBase().Nodes() {
			if !m.g.Contains(n) {
				continue
			}
			for _, t := range n.Inputs() {
				inbound = append(inbound, fmt.Sprintf("%s[%d][%d]", t.Layer().Name(), m.g.NodeIndex(t.Node()), t.Index()))
			}
		}
		first := ""
		if len(inbound) > 0 {
			first = inbound[0]
		}
		tableRow(b, positions, fmt.Sprintf("%s (%s)", l.Name(), l.ClassName()), outputShapeOf(l), fmt.Sprint(paramCount(l)), first)
		for _, more := range inbound[min(1, len(inbound)):] {
			tableRow(b, positions, "", "", "", more)
		}
		if i == len(ls)-1 {
			b.WriteString(strings.Repeat("=", lineLength) + "\n")
		} else {
			b.WriteString(strings.Repeat("_", lineLength) + "\n")
		}
	}
}

// outputShapeOf formats a layer's output shapes: (None, 64), or a list
// for several outputs.
func outputShapeOf(l layers.Layer) string {
	shapes := l.LayerBase().OutputShapes()
	switch len(shapes) {
	case 0:
		return "?"
	case 1:
		return layers.ShapeString(shapes[0])
	}
	parts := make([]string, len(shapes))
	for i, s := range shapes {
		parts[i] = layers.ShapeString(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func paramCount(l layers.Layer) int {
	n := 0
	for _, v := range l.Variables() {
		n += v.Size()
	}
	return n
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
