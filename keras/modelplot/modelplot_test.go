package modelplot_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/modelplot"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// branching is a model with two inputs, a layer shared by both, a merge,
// a nested functional model, a skip connection (a long edge) and two
// outputs of different depths.
func branching(t testing.TB) *keras.Model {
	t.Helper()
	in := keras.Input([]int{16}, keras.InputName("code_in"))
	h := layers.Dense(12, layers.Activation("relu"), layers.Name("hidden")).Apply(in)
	code := layers.Dense(8, layers.Name("code")).Apply(h)
	encoder, err := keras.NewModel([]*keras.Tensor{in}, []*keras.Tensor{code}, keras.ModelName("encoder"))
	if err != nil {
		t.Fatal(err)
	}
	a := keras.Input([]int{8}, keras.InputName("a"))
	b := keras.Input([]int{8}, keras.InputName("b"), keras.InputDtype(tensor.Float64))
	shared := layers.Dense(8, layers.Activation("relu"), layers.Name("shared"))
	sa, sb := shared.Apply(a), shared.Apply(b)
	merged := layers.Concatenate(layers.Name("merge")).Apply(sa, sb)
	e := encoder.Apply(merged)
	res := layers.Add(layers.Name("residual")).Apply(e, sa)
	score := layers.Dense(1, layers.Activation("sigmoid"), layers.Name("score")).Apply(res)
	kind := layers.Dense(3, layers.Activation("softmax"), layers.Name("kind"), layers.Trainable(false)).Apply(merged)
	m, err := keras.NewModel([]*keras.Tensor{a, b}, []*keras.Tensor{score, kind}, keras.ModelName("branching"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetSeed(1); err != nil {
		t.Fatal(err)
	}
	return m
}

// svgDoc is what the structural checks read from an SVG.
type svgDoc struct {
	layers   map[string]svgLayer // by data-name
	edges    []svgEdge
	clusters map[string]bool
	markers  int
}

type svgLayer struct {
	boxes int      // <rect class="box">
	texts []string // every <text>, its tspans joined
}

type svgEdge struct{ from, to, marker string }

func parseSVG(t *testing.T, data []byte) svgDoc {
	t.Helper()
	doc := svgDoc{layers: map[string]svgLayer{}, clusters: map[string]bool{}}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var layer string
	var text *strings.Builder
	attr := func(el xml.StartElement, name string) string {
		for _, a := range el.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "svg":
				if el.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("svg namespace %q", el.Name.Space)
				}
			case "marker":
				doc.markers++
			case "g":
				switch attr(el, "class") {
				case "layer":
					layer = attr(el, "data-name")
					if _, dup := doc.layers[layer]; dup {
						t.Errorf("layer %q drawn twice", layer)
					}
					doc.layers[layer] = svgLayer{}
				case "cluster":
					doc.clusters[attr(el, "data-name")] = true
				}
			case "rect":
				if layer != "" && attr(el, "class") == "box" {
					l := doc.layers[layer]
					l.boxes++
					doc.layers[layer] = l
				}
			case "text":
				text = &strings.Builder{}
			case "path":
				if attr(el, "class") == "edge" {
					doc.edges = append(doc.edges, svgEdge{attr(el, "data-from"), attr(el, "data-to"), attr(el, "marker-end")})
				}
			}
		case xml.CharData:
			if text != nil {
				text.Write(el)
			}
		case xml.EndElement:
			switch el.Name.Local {
			case "text":
				if layer != "" {
					l := doc.layers[layer]
					l.texts = append(l.texts, text.String())
					doc.layers[layer] = l
				}
				text = nil
			case "g":
				layer = ""
			}
		}
	}
	return doc
}

func TestBranchingSVG(t *testing.T) {
	cases := []struct {
		name   string
		opts   []modelplot.Option
		layers []string
		edges  []string // "from -> to" by box ID
		header map[string]string
	}{
		{"nested as one box", []modelplot.Option{modelplot.ShowShapes(true)},
			[]string{"a", "b", "shared", "merge", "encoder", "residual", "score", "kind"},
			[]string{"a -> shared", "b -> shared", "shared -> merge", "shared -> residual", "merge -> encoder", "merge -> kind", "encoder -> residual", "residual -> score"},
			map[string]string{"encoder": "encoder (Functional)", "merge": "merge (Concatenate)"}},
		{"nested expanded", []modelplot.Option{modelplot.ExpandNested(true), modelplot.ShowLayerActivations(true)},
			[]string{"a", "b", "shared", "merge", "code_in", "hidden", "code", "residual", "score", "kind"},
			[]string{"a -> shared", "b -> shared", "shared -> merge", "shared -> residual", "merge -> encoder/code_in", "merge -> kind",
				"encoder/code_in -> encoder/hidden", "encoder/hidden -> encoder/code", "encoder/code -> residual", "residual -> score"},
			map[string]string{"hidden": "hidden (Dense)", "code_in": "code_in (InputLayer)"}},
		{"left to right, classes only", []modelplot.Option{modelplot.RankDir("LR"), modelplot.ShowLayerNames(false), modelplot.ShowTrainable(true), modelplot.ShowDtype(true)},
			[]string{"a", "b", "shared", "merge", "encoder", "residual", "score", "kind"},
			[]string{"a -> shared", "b -> shared", "shared -> merge", "shared -> residual", "merge -> encoder", "merge -> kind", "encoder -> residual", "residual -> score"},
			map[string]string{"shared": "Dense", "a": "InputLayer"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := branching(t)
			var buf bytes.Buffer
			if err := modelplot.Write(&buf, m, modelplot.SVG, c.opts...); err != nil {
				t.Fatal(err)
			}
			doc := parseSVG(t, buf.Bytes())
			if len(doc.layers) != len(c.layers) {
				t.Errorf("%d layers drawn, want %d: %v", len(doc.layers), len(c.layers), doc.layers)
			}
			for _, name := range c.layers {
				l, ok := doc.layers[name]
				if !ok {
					t.Errorf("layer %s not drawn", name)
					continue
				}
				if l.boxes != 1 || len(l.texts) == 0 {
					t.Errorf("layer %s: %d boxes, texts %q", name, l.boxes, l.texts)
				}
				if want, ok := c.header[name]; ok && l.texts[0] != want {
					t.Errorf("layer %s: header %q, want %q", name, l.texts[0], want)
				}
			}
			var got []string
			for _, e := range doc.edges {
				got = append(got, e.from+" -> "+e.to)
				if e.marker != "url(#arrow)" {
					t.Errorf("edge %s -> %s has marker %q", e.from, e.to, e.marker)
				}
			}
			sort.Strings(got)
			want := append([]string(nil), c.edges...)
			sort.Strings(want)
			if strings.Join(got, "; ") != strings.Join(want, "; ") {
				t.Errorf("edges\n got %v\nwant %v", got, want)
			}
			if doc.markers != 1 {
				t.Errorf("%d arrow markers defined", doc.markers)
			}
		})
	}
}

func TestBranchingLabels(t *testing.T) {
	var buf bytes.Buffer
	m := branching(t)
	if err := modelplot.Write(&buf, m, modelplot.SVG, modelplot.ShowShapes(true), modelplot.ShowDtype(true),
		modelplot.ShowTrainable(true), modelplot.ShowLayerActivations(true)); err != nil {
		t.Fatal(err)
	}
	doc := parseSVG(t, buf.Bytes())
	want := map[string][]string{
		"a":       {"a (InputLayer)", "Output shape: (None, 8)", "Output dtype: float32"},
		"b":       {"b (InputLayer)", "Output shape: (None, 8)", "Output dtype: float64"},
		"shared":  {"shared (Dense)", "Activation: relu", "Input shape: (None, 8)", "Output shape: (None, 8)", "Output dtype: float32", "Trainable"},
		"merge":   {"merge (Concatenate)", "Input shape: [(None, 8), (None, 8)]", "Output shape: (None, 16)", "Output dtype: float32"},
		"kind":    {"kind (Dense)", "Activation: softmax", "Input shape: (None, 16)", "Output shape: (None, 3)", "Output dtype: float32", "Non-trainable"},
		"encoder": {"encoder (Functional)", "Input shape: (None, 16)", "Output shape: (None, 8)", "Output dtype: float32", "Trainable"},
	}
	for name, texts := range want {
		if got := doc.layers[name].texts; strings.Join(got, "|") != strings.Join(texts, "|") {
			t.Errorf("layer %s:\n got %q\nwant %q", name, got, texts)
		}
	}
}

func TestLayoutGeometry(t *testing.T) {
	for _, dir := range []string{"TB", "LR"} {
		for _, expand := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s expand=%v", dir, expand), func(t *testing.T) {
				d, err := modelplot.Layout(branching(t), modelplot.RankDir(dir), modelplot.ExpandNested(expand), modelplot.ShowShapes(true))
				if err != nil {
					t.Fatal(err)
				}
				checkGeometry(t, d, dir == "LR")
				byID := map[string]modelplot.Box{}
				for _, b := range d.Boxes {
					byID[b.ID] = b
				}
				// Ranks: inputs first; the merge below the shared layer; the
				// skip connection's target below the encoder.
				wantRank := map[string]int{"a": 0, "b": 0, "shared": 1, "merge": 2, "kind": 3}
				if !expand {
					wantRank["encoder"], wantRank["residual"], wantRank["score"] = 3, 4, 5
				} else {
					wantRank["residual"], wantRank["score"] = 4, 5
					// Inside the encoder's frame: its own ranks.
					wantRank["encoder/code_in"], wantRank["encoder/hidden"], wantRank["encoder/code"] = 0, 1, 2
				}
				for id, r := range wantRank {
					if byID[id].Rank != r {
						t.Errorf("%s: rank %d, want %d", id, byID[id].Rank, r)
					}
				}
				// Boxes of one rank are aligned: the same centre across ranks.
				centre := func(b modelplot.Box) float64 {
					if dir == "LR" {
						return b.Rect.X + b.Rect.W/2
					}
					return b.Rect.Y + b.Rect.H/2
				}
				same := [][2]string{{"a", "b"}}
				if !expand {
					same = append(same, [2]string{"encoder", "kind"})
				}
				for _, p := range same {
					if ca, cb := centre(byID[p[0]]), centre(byID[p[1]]); ca != cb {
						t.Errorf("%s and %s share rank but are centred at %v and %v", p[0], p[1], ca, cb)
					}
				}
				if expand {
					if len(d.Clusters) != 1 || d.Clusters[0].Name != "encoder" {
						t.Fatalf("clusters %v", d.Clusters)
					}
					for _, id := range []string{"encoder/code_in", "encoder/hidden", "encoder/code"} {
						if !d.Clusters[0].Rect.Contains(byID[id].Rect) || byID[id].Cluster != "encoder" {
							t.Errorf("%s (%v) outside its frame %v", id, byID[id].Rect, d.Clusters[0].Rect)
						}
					}
				}
			})
		}
	}
}

// checkGeometry checks what every diagram must satisfy: no two boxes
// overlap, no box overlaps a cluster it is not in, everything lies inside
// the diagram, each edge starts on its From box and ends on its To box,
// and edges go down (right for LR) the ranks.
func checkGeometry(t *testing.T, d *modelplot.Diagram, lr bool) {
	t.Helper()
	all := modelplot.Rect{X: 0, Y: 0, W: d.Width, H: d.Height}
	byID := map[string]modelplot.Box{}
	for i, a := range d.Boxes {
		byID[a.ID] = a
		if !all.Contains(a.Rect) || a.Rect.W <= 0 || a.Rect.H <= 0 {
			t.Errorf("box %s %v outside the diagram %v", a.ID, a.Rect, all)
		}
		for _, b := range d.Boxes[i+1:] {
			if a.Rect.Overlaps(b.Rect) {
				t.Errorf("boxes %s %v and %s %v overlap", a.ID, a.Rect, b.ID, b.Rect)
			}
		}
		for _, c := range d.Clusters {
			inside := strings.HasPrefix(a.ID, c.ID+"/")
			if !inside && c.Rect.Overlaps(a.Rect) {
				t.Errorf("box %s overlaps cluster %s", a.ID, c.ID)
			}
			if inside && !c.Rect.Contains(a.Rect) {
				t.Errorf("box %s sticks out of cluster %s", a.ID, c.ID)
			}
		}
	}
	onBorder := func(p modelplot.Point, r modelplot.Rect) bool {
		const eps = 1e-6
		in := p.X >= r.X-eps && p.X <= r.X+r.W+eps && p.Y >= r.Y-eps && p.Y <= r.Y+r.H+eps
		edge := abs(p.X-r.X) < eps || abs(p.X-r.X-r.W) < eps || abs(p.Y-r.Y) < eps || abs(p.Y-r.Y-r.H) < eps
		return in && edge
	}
	for _, e := range d.Edges {
		if len(e.Points) < 2 {
			t.Errorf("edge %s -> %s has %d points", e.From, e.To, len(e.Points))
			continue
		}
		from, to := byID[e.From], byID[e.To]
		first, last := e.Points[0], e.Points[len(e.Points)-1]
		if !onBorder(first, from.Rect) || !onBorder(last, to.Rect) {
			t.Errorf("edge %s -> %s runs from %v to %v, not from box %v to box %v", e.From, e.To, first, last, from.Rect, to.Rect)
		}
		if from.Cluster == to.Cluster && from.ID != to.ID {
			down := last.Y > first.Y
			if lr {
				down = last.X > first.X
			}
			if !down {
				t.Errorf("edge %s -> %s goes against the ranks: %v", e.From, e.To, e.Points)
			}
		}
		for _, p := range e.Points {
			if p.X < 0 || p.Y < 0 || p.X > d.Width || p.Y > d.Height {
				t.Errorf("edge %s -> %s leaves the diagram at %v", e.From, e.To, p)
			}
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestCyclesAndSharedNestedModels(t *testing.T) {
	// A layer applied to its own output draws a self-loop; a Sequential
	// model applied twice and expanded makes a cycle in the diagram,
	// which the layout breaks.
	x := keras.Input([]int{4}, keras.InputName("x"))
	twice := layers.Dense(4, layers.Name("twice"))
	y := twice.Apply(twice.Apply(x))
	enc := keras.Sequential(layers.Dense(4, layers.InputShape(4), layers.Name("enc_dense")), layers.Dense(4, layers.Name("enc_out")))
	enc.SetName("enc")
	z := enc.Apply(enc.Apply(y))
	m, err := keras.NewModel([]*keras.Tensor{x}, []*keras.Tensor{z})
	if err != nil {
		t.Fatal(err)
	}
	for _, expand := range []bool{false, true} {
		for _, dir := range []string{"TB", "LR"} {
			d, err := modelplot.Layout(m, modelplot.ExpandNested(expand), modelplot.RankDir(dir))
			if err != nil {
				t.Fatal(err)
			}
			var edges []string
			for _, e := range d.Edges {
				edges = append(edges, e.From+" -> "+e.To)
			}
			want := "x -> twice; twice -> twice; twice -> enc; enc -> enc"
			if expand {
				want = "enc/enc_dense -> enc/enc_out; x -> twice; twice -> twice; twice -> enc/enc_dense; enc/enc_out -> enc/enc_dense"
			}
			if strings.Join(edges, "; ") != want {
				t.Errorf("expand=%v: edges %s, want %s", expand, strings.Join(edges, "; "), want)
			}
			// Cycles are allowed here, so only the general checks that do
			// not depend on direction.
			for i, a := range d.Boxes {
				for _, b := range d.Boxes[i+1:] {
					if a.Rect.Overlaps(b.Rect) {
						t.Errorf("boxes %s and %s overlap", a.ID, b.ID)
					}
				}
			}
			var buf bytes.Buffer
			if err := modelplot.Write(&buf, m, modelplot.SVG, modelplot.ExpandNested(expand), modelplot.RankDir(dir)); err != nil {
				t.Fatal(err)
			}
			doc := parseSVG(t, buf.Bytes())
			if len(doc.edges) != len(d.Edges) {
				t.Errorf("%d edges drawn, %d laid out", len(doc.edges), len(d.Edges))
			}
		}
	}
}

func TestSequential(t *testing.T) {
	m := keras.Sequential(layers.Flatten(layers.InputShape(28, 28)), layers.Dense(128, layers.Activation("relu")), layers.Dense(10, layers.Activation("softmax")))
	d, err := modelplot.Layout(m, modelplot.ShowShapes(true))
	if err != nil {
		t.Fatal(err)
	}
	// Keras 3 draws a Sequential model's layers without its input layer.
	var names, edges []string
	for _, b := range d.Boxes {
		names = append(names, b.Name+":"+b.Lines[1])
	}
	for _, e := range d.Edges {
		edges = append(edges, e.From+">"+e.To)
	}
	if got := strings.Join(names, " "); got != "flatten:Input shape: (None, 28, 28) | Output shape: (None, 784) dense:Input shape: (None, 784) | Output shape: (None, 128) dense_1:Input shape: (None, 128) | Output shape: (None, 10)" {
		t.Errorf("boxes %s", got)
	}
	if got := strings.Join(edges, " "); got != "flatten>dense dense>dense_1" {
		t.Errorf("edges %s", got)
	}
	checkGeometry(t, d, false)
	// A chain is drawn straight: every box centred on one vertical line.
	for _, b := range d.Boxes[1:] {
		if c0, c := d.Boxes[0].Rect.X+d.Boxes[0].Rect.W/2, b.Rect.X+b.Rect.W/2; abs(c-c0) > 1e-9 {
			t.Errorf("box %s centred at x=%v, the first at %v", b.Name, c, c0)
		}
	}
}

func TestDOTGolden(t *testing.T) {
	cases := []struct {
		file string
		opts []modelplot.Option
	}{
		{"branching.dot", []modelplot.Option{modelplot.ShowShapes(true), modelplot.ShowTrainable(true)}},
		{"branching_expanded_lr.dot", []modelplot.Option{modelplot.ExpandNested(true), modelplot.RankDir("LR"), modelplot.ShowLayerActivations(true), modelplot.ShowDtype(true), modelplot.DPI(96)}},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		if err := modelplot.Write(&buf, branching(t), modelplot.DOT, c.opts...); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", c.file)
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to write it)", err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s differs from the golden file:\n%s", c.file, buf.String())
		}
	}
	if *update {
		// The picture docs/modelplot.md shows.
		err := modelplot.Save(filepath.Join("..", "..", "docs", "images", "modelplot_branching.png"), branching(t),
			modelplot.ShowShapes(true), modelplot.ExpandNested(true), modelplot.DPI(80))
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestPNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.png")
	m := branching(t)
	if err := modelplot.Save(path, m, modelplot.ShowShapes(true), modelplot.ExpandNested(true), modelplot.DPI(72)); err != nil {
		t.Fatal(err)
	}
	d, err := modelplot.Layout(m, modelplot.ShowShapes(true), modelplot.ExpandNested(true))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// At 72 dpi a pixel is a point.
	b := img.Bounds()
	if abs(float64(b.Dx())-d.Width) > 1 || abs(float64(b.Dy())-d.Height) > 1 {
		t.Errorf("PNG is %dx%d, the diagram %.1fx%.1f points", b.Dx(), b.Dy(), d.Width, d.Height)
	}
	// Inside each box's header: black; the margin: white.
	for _, bx := range d.Boxes {
		x, y := int(bx.Rect.X+2), int(bx.Rect.Y+2)
		if r, g, bl, _ := img.At(x, y).RGBA(); r|g|bl != 0 {
			t.Errorf("box %s: pixel (%d, %d) is not black", bx.ID, x, y)
		}
	}
	if r, g, bl, _ := img.At(2, 2).RGBA(); r>>8 != 255 || g>>8 != 255 || bl>>8 != 255 {
		t.Errorf("the margin is not white")
	}
	// Twice the DPI, twice the pixels.
	var buf bytes.Buffer
	if err := modelplot.Write(&buf, m, modelplot.PNG, modelplot.ShowShapes(true), modelplot.ExpandNested(true), modelplot.DPI(144)); err != nil {
		t.Fatal(err)
	}
	big, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if bb := big.Bounds(); abs(float64(bb.Dx())-2*d.Width) > 2 {
		t.Errorf("at 144 dpi the PNG is %d wide, want %.0f", bb.Dx(), 2*d.Width)
	}
}

func TestBadInput(t *testing.T) {
	m := branching(t)
	unbuildable := keras.Sequential(layers.Dense(3))
	big := keras.Sequential(layers.Dense(3, layers.InputShape(2)))
	cases := []struct {
		err  error
		want string
	}{
		{modelplot.Write(io.Discard, nil, modelplot.SVG), "nil model"},
		{modelplot.Write(io.Discard, m, modelplot.Format("pdf")), `unknown format "pdf"`},
		{modelplot.Write(io.Discard, m, modelplot.SVG, modelplot.RankDir("BT")), `rankdir`},
		{modelplot.Write(io.Discard, m, modelplot.PNG, modelplot.DPI(5)), "dpi"},
		{modelplot.Write(io.Discard, unbuildable, modelplot.SVG), "cannot be built"},
		{modelplot.Save(filepath.Join(t.TempDir(), "m.jpg"), m), "must be .png, .svg or .dot"},
		{modelplot.Save(filepath.Join(t.TempDir(), "missing", "m.png"), m), "modelplot: Save"},
		{withMaxPixels(100, func() error { return modelplot.Write(io.Discard, big, modelplot.PNG) }), "lower the DPI or write SVG"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("err %v, want %q", c.err, c.want)
		}
	}
}

func withMaxPixels(n int, f func() error) error {
	old := modelplot.MaxPixels
	modelplot.MaxPixels = n
	defer func() { modelplot.MaxPixels = old }()
	return f()
}

func ExampleLayout() {
	x := keras.Input([]int{13}, keras.InputName("features"))
	h := layers.Dense(64, layers.Activation("relu")).Apply(x)
	y := layers.Dense(1, layers.Name("price")).Apply(h)
	m, _ := keras.NewModel([]*keras.Tensor{x}, []*keras.Tensor{y})
	d, _ := modelplot.Layout(m, modelplot.ShowShapes(true))
	for _, b := range d.Boxes {
		fmt.Println(b.Rank, strings.Join(b.Lines, " / "))
	}
	for _, e := range d.Edges {
		fmt.Println(e.From, "->", e.To)
	}
	// Output:
	// 0 features (InputLayer) / Output shape: (None, 13)
	// 1 dense (Dense) / Input shape: (None, 13) | Output shape: (None, 64)
	// 2 price (Dense) / Input shape: (None, 64) | Output shape: (None, 1)
	// features -> dense
	// dense -> price
}

func ExampleSave() {
	dir, _ := os.MkdirTemp("", "modelplot")
	defer os.RemoveAll(dir)
	m := keras.Sequential(layers.Dense(64, layers.Activation("relu"), layers.InputShape(13)), layers.Dense(1))
	// Like keras.utils.plot_model(model, "model.png", show_shapes=True).
	fmt.Println(modelplot.Save(filepath.Join(dir, "model.png"), m, modelplot.ShowShapes(true)))
	fmt.Println(modelplot.Save(filepath.Join(dir, "model.svg"), m, modelplot.RankDir("LR")))
	fmt.Println(modelplot.Save(filepath.Join(dir, "model.dot"), m))
	// Output:
	// <nil>
	// <nil>
	// <nil>
}
