package modelplot

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// writeDOT writes the diagram in Graphviz's DOT language with the graph
// attributes and the HTML-like table labels of Keras 3's model_to_dot, so
// that `dot -Tpng` draws what Keras draws. Node IDs are the layers' paths
// ("encoder/dense") rather than Keras's Python object ids, so the output
// is the same from run to run.
func writeDOT(w io.Writer, d *diagram, s *settings) error {
	bw := bufio.NewWriter(w)
	var err error
	pr := func(format string, args ...any) {
		if err == nil {
			_, err = fmt.Fprintf(bw, format, args...)
		}
	}
	pr("digraph G {\n")
	pr("\tgraph [rankdir=%s, concentrate=true, dpi=%d, splines=ortho];\n", dotID(s.rankdir), s.dpi)
	pr("\tnode [shape=record];\n")
	var cluster func(c *dcluster, indent string)
	nodes := func(c *dcluster, indent string) {
		for _, b := range d.boxes {
			if b.parent == c {
				pr("%s%s [label=<%s>, fontname=Helvetica, border=0, margin=0];\n", indent, dotID(b.id), dotLabel(b))
			}
		}
		for _, sub := range d.clusters {
			if sub.parent == c {
				cluster(sub, indent)
			}
		}
	}
	cluster = func(c *dcluster, indent string) {
		pr("%ssubgraph %s {\n", indent, dotID("cluster_"+c.id))
		pr("%s\tstyle=dashed;\n%s\tlabel=%s;\n%s\tlabeljust=l;\n", indent, indent, dotID(c.name), indent)
		nodes(c, indent+"\t")
		pr("%s}\n", indent)
	}
	nodes(nil, "\t")
	for _, e := range d.edges {
		pr("\t%s -> %s [penwidth=2];\n", dotID(e.from.id), dotID(e.to.id))
	}
	pr("}\n")
	if err != nil {
		return err
	}
	return bw.Flush()
}

// dotID quotes an identifier as DOT requires.
func dotID(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func htmlSpans(sp []span) string {
	var b strings.Builder
	for _, s := range sp {
		if s.bold {
			b.WriteString("<b>" + htmlEscaper.Replace(s.text) + "</b>")
		} else {
			b.WriteString(htmlEscaper.Replace(s.text))
		}
	}
	return b.String()
}

// dotLabel is Keras's make_layer_label table: a black header row with the
// name and class in white, an activation row, then one row of cells.
func dotLabel(b *dbox) string {
	colspan := max(1, len(b.cells))
	var t strings.Builder
	t.WriteString(`<table border="0" cellborder="1" bgcolor="black" cellpadding="10">`)
	fmt.Fprintf(&t, `<tr><td colspan="%d" bgcolor="black"><font point-size="16" color="white">%s</font></td></tr>`, colspan, htmlSpans(b.header))
	if b.activation != nil {
		fmt.Fprintf(&t, `<tr><td bgcolor="white" colspan="%d"><font point-size="14">%s</font></td></tr>`, colspan, htmlSpans(b.activation))
	}
	if len(b.cells) > 0 {
		t.WriteString("<tr>")
		for _, c := range b.cells {
			switch c.fill {
			case forestGreen:
				fmt.Fprintf(&t, `<td bgcolor="forestgreen"><font point-size="14" color="white">%s</font></td>`, htmlSpans(c.spans))
			case fireBrick:
				fmt.Fprintf(&t, `<td bgcolor="firebrick"><font point-size="14" color="white">%s</font></td>`, htmlSpans(c.spans))
			default:
				fmt.Fprintf(&t, `<td bgcolor="white"><font point-size="14">%s</font></td>`, htmlSpans(c.spans))
			}
		}
		t.WriteString("</tr>")
	}
	t.WriteString("</table>")
	return t.String()
}
