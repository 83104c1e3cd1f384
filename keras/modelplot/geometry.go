package modelplot

import (
	"math"
	"sort"
)

// Point is a position in points (1/72 inch) from the diagram's top-left
// corner, y growing downwards (SVG's convention).
type Point struct{ X, Y float64 }

// Rect is a rectangle in points: its top-left corner and its size.
type Rect struct{ X, Y, W, H float64 }

// Overlaps reports whether r and o share more than their borders.
func (r Rect) Overlaps(o Rect) bool {
	return r.X < o.X+o.W && o.X < r.X+r.W && r.Y < o.Y+o.H && o.Y < r.Y+r.H
}

// Contains reports whether o lies inside r (borders included).
func (r Rect) Contains(o Rect) bool {
	return o.X >= r.X && o.Y >= r.Y && o.X+o.W <= r.X+r.W && o.Y+o.H <= r.Y+r.H
}

// Diagram is a laid-out model diagram: what Write draws, in points.
type Diagram struct {
	// Width and Height are the diagram's size in points.
	Width, Height float64
	// Boxes are the layers shown, in the model's order (Model.Layers;
	// nested models expanded in place).
	Boxes []Box
	// Edges are the arrows, one per pair of connected boxes.
	Edges []Edge
	// Clusters are the expanded nested models (ExpandNested).
	Clusters []Cluster
}

// Box is one layer's box.
type Box struct {
	// ID is the layer's path from the plotted model: its name, prefixed
	// by the names of the expanded nested models holding it
	// ("encoder/dense").
	ID string
	// Name and Class are the layer's name and class ("dense", "Dense").
	Name, Class string
	// Rank is the box's layer of the layout within its model: 0 for the
	// inputs, then one more than the deepest box feeding it.
	Rank int
	// Rect is the box.
	Rect Rect
	// Lines are the box's rows of text: the header ("dense (Dense)"),
	// then the activation row and the cells row when shown, the cells
	// joined by " | ".
	Lines []string
	// Cluster is the ID of the innermost expanded nested model holding
	// the box, "" for none.
	Cluster string
}

// Edge is one arrow from one box to another.
type Edge struct {
	// From and To are the IDs of the boxes joined.
	From, To string
	// Points is the polyline, from a port on the From box to a port on
	// the To box, where the arrowhead's tip touches it.
	Points []Point
}

// Cluster is an expanded nested model: a dashed frame around its boxes.
type Cluster struct {
	// ID is the model's path ("encoder", "outer/encoder"), Name its name.
	ID, Name string
	// Rect is the frame.
	Rect Rect
}

type geometry struct {
	Diagram
	boxes    []*dbox
	clusters []*dcluster
}

// endpoint is one end of an edge: a box side and the order key of the
// port on it.
type endpoint struct {
	edge  int
	first bool
	box   *dbox
	side  int // 0: the v-start side (top for TB), 1: the v-end side
	key   float64
}

// geometry turns the layout into absolute boxes, clusters and routed
// edges, in the final orientation.
func (L *layouter) geometry() *geometry {
	g := &geometry{boxes: L.d.boxes, clusters: L.d.clusters}
	// Absolute centre of an item, in abstract coordinates.
	lvOf := map[*item]*levelLayout{}
	for _, lv := range L.levels {
		for _, it := range lv.items {
			lvOf[it] = lv
		}
	}
	abs := func(it *item) (u, v float64) {
		lv := lvOf[it]
		return lv.u0 + it.u, lv.v0 + it.v
	}
	rectOf := func(u, v, b, t float64) Rect {
		if L.lr {
			return Rect{v - t/2, u - b/2, t, b}
		}
		return Rect{u - b/2, v - t/2, b, t}
	}
	toPoint := func(u, v float64) Point {
		if L.lr {
			return Point{v, u}
		}
		return Point{u, v}
	}
	boxAbs := map[*dbox][2]float64{}
	for _, b := range L.d.boxes {
		it := L.itemOf[b]
		u, v := abs(it)
		boxAbs[b] = [2]float64{u, v}
		bx := Box{ID: b.id, Name: b.name, Class: b.class, Rank: it.rank, Rect: rectOf(u, v, it.b, it.t), Lines: b.lines()}
		if b.parent != nil {
			bx.Cluster = b.parent.id
		}
		g.Boxes = append(g.Boxes, bx)
	}
	for _, c := range L.d.clusters {
		it := L.itemCl[c]
		u, v := abs(it)
		g.Clusters = append(g.Clusters, Cluster{ID: c.id, Name: c.name, Rect: rectOf(u, v, it.b, it.t)})
	}
	// Routes in abstract coordinates, with the ports at the boxes'
	// centres for now.
	type route struct {
		pts  [][2]float64
		loop bool
		e    *dedge
	}
	routes := make([]route, len(L.d.edges))
	var ends []endpoint
	for i, e := range L.d.edges {
		fb, tb := L.itemOf[e.from], L.itemOf[e.to]
		fu, fv := boxAbs[e.from][0], boxAbs[e.from][1]
		tu, tv := boxAbs[e.to][0], boxAbs[e.to][1]
		if e.from == e.to {
			// A self-loop on the box's +u side.
			edge := fu + fb.b/2
			routes[i] = route{loop: true, e: e, pts: [][2]float64{
				{edge, fv - fb.t/4}, {edge + loopOut, fv - fb.t/4}, {edge + loopOut, fv + fb.t/4}, {edge, fv + fb.t/4}}}
			continue
		}
		lv, le := L.edgeLvl[e], L.edgeLE[e]
		var pts [][2]float64
		if !le.reversed {
			pts = append(pts, [2]float64{fu, fv + fb.t/2}, [2]float64{fu, lv.v0 + lv.bandEnd[le.from.rank]})
			for _, d := range le.dummies {
				pts = append(pts, [2]float64{lv.u0 + d.u, lv.v0 + lv.bandStart[d.rank]}, [2]float64{lv.u0 + d.u, lv.v0 + lv.bandEnd[d.rank]})
			}
			pts = append(pts, [2]float64{tu, lv.v0 + lv.bandStart[le.to.rank]}, [2]float64{tu, tv - tb.t/2})
		} else {
			// Laid out from the target down to the source: leave the
			// source's top, go up through the dummies, enter the
			// target's bottom.
			pts = append(pts, [2]float64{fu, fv - fb.t/2}, [2]float64{fu, lv.v0 + lv.bandStart[le.to.rank]})
			for k := len(le.dummies) - 1; k >= 0; k-- {
				d := le.dummies[k]
				pts = append(pts, [2]float64{lv.u0 + d.u, lv.v0 + lv.bandEnd[d.rank]}, [2]float64{lv.u0 + d.u, lv.v0 + lv.bandStart[d.rank]})
			}
			pts = append(pts, [2]float64{tu, lv.v0 + lv.bandEnd[le.from.rank]}, [2]float64{tu, tv + tb.t/2})
		}
		routes[i] = route{pts: pts, e: e}
		fs, ts := 1, 0
		if le.reversed {
			fs, ts = 0, 1
		}
		ends = append(ends, endpoint{i, true, e.from, fs, pts[2][0]}, endpoint{i, false, e.to, ts, pts[len(pts)-3][0]})
	}
	// Spread the ports of each box side, in the order of where their
	// edges go, so that edges meeting at a box do not share an end.
	sort.SliceStable(ends, func(i, j int) bool {
		a, b := ends[i], ends[j]
		if a.box.index != b.box.index {
			return a.box.index < b.box.index
		}
		if a.side != b.side {
			return a.side < b.side
		}
		return a.key < b.key
	})
	for i := 0; i < len(ends); {
		j := i
		for j < len(ends) && ends[j].box == ends[i].box && ends[j].side == ends[i].side {
			j++
		}
		k := j - i
		it := L.itemOf[ends[i].box]
		step := 0.0
		if k > 1 {
			step = min(portStep, 0.8*it.b/float64(k-1))
		}
		c := boxAbs[ends[i].box][0]
		for n := i; n < j; n++ {
			p := c + (float64(n-i)-float64(k-1)/2)*step
			r := routes[ends[n].edge].pts
			if ends[n].first {
				r[0][0], r[1][0] = p, p
			} else {
				r[len(r)-1][0], r[len(r)-2][0] = p, p
			}
		}
		i = j
	}
	for _, r := range routes {
		pts := r.pts
		if !r.loop {
			pts = tidy(pts)
		}
		e := Edge{From: r.e.from.id, To: r.e.to.id}
		for _, p := range pts {
			e.Points = append(e.Points, toPoint(p[0], p[1]))
		}
		g.Edges = append(g.Edges, e)
	}
	// The diagram's size, with the margin.
	w, h := 0.0, 0.0
	if L.lr {
		w, h = L.root.height, L.root.width
	} else {
		w, h = L.root.width, L.root.height
	}
	g.Width, g.Height = w+2*margin, h+2*margin
	for _, e := range g.Edges { // self-loops may reach past the boxes
		for _, p := range e.Points {
			g.Width, g.Height = max(g.Width, p.X+margin), max(g.Height, p.Y+margin)
		}
	}
	return g
}

// tidy drops repeated points, collinear middle points, and the short
// first and last steps into a box's band (so that an arrowhead always
// sits on a segment longer than itself).
func tidy(pts [][2]float64) [][2]float64 {
	if len(pts) >= 4 && dist(pts[len(pts)-1], pts[len(pts)-2]) < arrowLen+2 {
		pts = append(pts[:len(pts)-2:len(pts)-2], pts[len(pts)-1])
	}
	if len(pts) >= 3 && dist(pts[0], pts[1]) < 2 {
		pts = append(pts[:1:1], pts[2:]...)
	}
	var out [][2]float64
	for _, p := range pts {
		if len(out) > 0 && dist(out[len(out)-1], p) < 1e-9 {
			continue
		}
		if len(out) >= 2 && collinear(out[len(out)-2], out[len(out)-1], p) {
			out[len(out)-1] = p
			continue
		}
		out = append(out, p)
	}
	return out
}

func dist(a, b [2]float64) float64 { return math.Hypot(a[0]-b[0], a[1]-b[1]) }

func collinear(a, b, c [2]float64) bool {
	cross := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	dot := (b[0]-a[0])*(c[0]-b[0]) + (b[1]-a[1])*(c[1]-b[1])
	return math.Abs(cross) < 1e-6 && dot >= 0
}

// lines returns the box's rows of text as plain strings.
func (b *dbox) lines() []string {
	join := func(sp []span) string {
		s := ""
		for _, x := range sp {
			s += x.text
		}
		return s
	}
	out := []string{join(b.header)}
	if b.activation != nil {
		out = append(out, join(b.activation))
	}
	if len(b.cells) > 0 {
		s := ""
		for i, c := range b.cells {
			if i > 0 {
				s += " | "
			}
			s += join(c.spans)
		}
		out = append(out, s)
	}
	return out
}
