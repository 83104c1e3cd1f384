package modelplot

import (
	"math"
	"sort"
)

// A small layered ("Sugiyama") layout, done in abstract coordinates: u
// runs along a rank (across the page for "TB"), v from rank to rank (down
// the page for "TB"); "LR" swaps the two at the end. Each cluster (an
// expanded nested model) is laid out first, then placed as one item of
// the level holding it, so that clusters never overlap other boxes.
//
//  1. Cycles (a shared layer applied to its own output) are broken by
//     reversing the edges a depth-first search finds going back.
//  2. Ranks by longest path from the sources; boxes that only feed
//     layers outside their cluster move to the cluster's last rank, so
//     their edges leave it without crossing it.
//  3. Edges spanning several ranks get one dummy point per rank between.
//  4. The order within each rank: barycenter sweeps up and down,
//     keeping the order with the fewest crossings.
//  5. Positions along a rank: each item is pulled towards the mean
//     position of its neighbours, the rank kept in order and apart by
//     isotonic regression (pool adjacent violators), sweep after sweep.
//  6. Edges are polylines through their dummy points, leaving and
//     entering the boxes at ports spread along the box's side.

const (
	gapItems   = 22.0 // points between neighbouring items of a rank
	gapDummy   = 10.0 // points next to a dummy point
	clusterPad = 10.0 // points between a cluster's border and its content
	margin     = 12.0 // points around the whole diagram
	loopOut    = 12.0 // points a self-loop reaches out of its box
	arrowLen   = 8.0  // points: the length of an arrowhead
	arrowHalf  = 3.5  // points: half its width
	portStep   = 12.0 // points between the ports of a box's side
	sweeps     = 24   // barycenter sweeps at most
	placements = 12   // placement sweeps
)

func rankGap(lr bool) float64 {
	if lr {
		return 40
	}
	return 30
}

type item struct {
	box   *dbox
	cl    *dcluster
	inner *levelLayout // a cluster's own layout
	b, t  float64      // breadth (along u) and thickness (along v)
	rank  int
	pos   float64 // barycenter key while ordering
	order int
	u, v  float64 // centre, relative to the level
	exit  bool    // a box or cluster some edge leaves the level from
	index int
}

func (it *item) dummy() bool { return it.box == nil && it.cl == nil }

type levelEdge struct {
	e        *dedge
	from, to *item // in layout orientation
	reversed bool
	dummies  []*item
}

type levelLayout struct {
	cl         *dcluster
	items      []*item
	edges      []*levelEdge
	ranks      [][]*item
	bandStart  []float64
	bandEnd    []float64
	width      float64 // along u
	height     float64 // along v
	u0, v0     float64 // absolute offset, set when placed
	labelExtra float64
}

type layouter struct {
	d       *diagram
	lr      bool
	chain   map[*dbox][]*dcluster // a box's clusters, outermost first
	levels  map[*dcluster]*levelLayout
	root    *levelLayout
	itemOf  map[*dbox]*item
	itemCl  map[*dcluster]*item
	edgeLvl map[*dedge]*levelLayout
	edgeLE  map[*dedge]*levelEdge
}

// lca returns the innermost cluster holding both boxes (nil: the plotted
// model).
func (L *layouter) lca(a, b *dbox) *dcluster {
	ca, cb := L.chain[a], L.chain[b]
	var c *dcluster
	for i := 0; i < len(ca) && i < len(cb) && ca[i] == cb[i]; i++ {
		c = ca[i]
	}
	return c
}

// itemAt returns the item of level cl that holds box b.
func (L *layouter) itemAt(cl *dcluster, b *dbox) *item {
	ch := L.chain[b]
	for i, c := range ch {
		if c == cl {
			if i+1 < len(ch) {
				return L.itemCl[ch[i+1]]
			}
			return L.itemOf[b]
		}
	}
	if cl == nil && len(ch) > 0 {
		return L.itemCl[ch[0]]
	}
	return L.itemOf[b]
}

func layoutDiagram(d *diagram, lr bool) *layouter {
	L := &layouter{d: d, lr: lr, chain: map[*dbox][]*dcluster{}, levels: map[*dcluster]*levelLayout{},
		itemOf: map[*dbox]*item{}, itemCl: map[*dcluster]*item{}, edgeLvl: map[*dedge]*levelLayout{}, edgeLE: map[*dedge]*levelEdge{}}
	for _, b := range d.boxes {
		var ch []*dcluster
		for c := b.parent; c != nil; c = c.parent {
			ch = append([]*dcluster{c}, ch...)
		}
		L.chain[b] = ch
		b.measure()
		it := &item{box: b}
		if lr {
			it.b, it.t = b.h, b.w
		} else {
			it.b, it.t = b.w, b.h
		}
		L.itemOf[b] = it
	}
	for _, c := range d.clusters {
		L.itemCl[c] = &item{cl: c}
	}
	// Exit items: boxes and clusters an edge leaves their level from.
	for _, e := range d.edges {
		if e.from == e.to {
			continue
		}
		top := L.lca(e.from, e.to)
		ch := L.chain[e.from]
		for _, c := range ch {
			if c == top {
				continue
			}
			if isInside(c, top) {
				L.itemCl[c].exit = true
			}
		}
		if e.from.parent != top {
			L.itemOf[e.from].exit = true
		}
	}
	// Lay out the innermost clusters first.
	var build func(cl *dcluster) *levelLayout
	build = func(cl *dcluster) *levelLayout {
		lv := &levelLayout{cl: cl}
		for _, c := range d.clusters {
			if c.parent == cl {
				inner := build(c)
				it := L.itemCl[c]
				it.inner = inner
				lw := float64(face(clusterLabelSize, false).Width(c.name)) + 2*clusterPad
				lh := rowHeight(clusterLabelSize)
				if lr {
					it.b, it.t = inner.width+2*clusterPad+lh, max(inner.height+2*clusterPad, lw)
				} else {
					it.b, it.t = max(inner.width+2*clusterPad, lw), inner.height+2*clusterPad+lh
				}
				inner.labelExtra = lh
			}
		}
		// Items in the diagram's order: boxes and clusters interleaved as
		// the model lists its layers.
		type ordered struct {
			it  *item
			key int
		}
		var its []ordered
		for _, b := range d.boxes {
			if b.parent == cl {
				its = append(its, ordered{L.itemOf[b], firstBox(d, b)})
			}
		}
		for _, c := range d.clusters {
			if c.parent == cl {
				its = append(its, ordered{L.itemCl[c], firstBoxIn(d, c)})
			}
		}
		sort.SliceStable(its, func(i, j int) bool { return its[i].key < its[j].key })
		for i, o := range its {
			o.it.index = i
			lv.items = append(lv.items, o.it)
		}
		for _, e := range d.edges {
			if e.from == e.to || L.lca(e.from, e.to) != cl {
				continue
			}
			le := &levelEdge{e: e, from: L.itemAt(cl, e.from), to: L.itemAt(cl, e.to)}
			lv.edges = append(lv.edges, le)
			L.edgeLvl[e], L.edgeLE[e] = lv, le
		}
		lv.layout(lr)
		L.levels[cl] = lv
		return lv
	}
	L.root = build(nil)
	L.place(L.root, margin, margin)
	return L
}

func isInside(c, top *dcluster) bool {
	for x := c.parent; x != nil; x = x.parent {
		if x == top {
			return true
		}
	}
	return top == nil
}

func firstBox(d *diagram, b *dbox) int { return b.index }

func firstBoxIn(d *diagram, c *dcluster) int {
	best := math.MaxInt
	for _, b := range d.boxes {
		for x := b.parent; x != nil; x = x.parent {
			if x == c {
				best = min(best, b.index)
				break
			}
		}
	}
	return best
}

// place sets the absolute offsets of a level and of the clusters inside.
func (L *layouter) place(lv *levelLayout, u0, v0 float64) {
	lv.u0, lv.v0 = u0, v0
	for _, it := range lv.items {
		if it.inner == nil {
			continue
		}
		in := it.inner
		left, top := u0+it.u-it.b/2, v0+it.v-it.t/2
		if L.lr {
			L.place(in, left+clusterPad+in.labelExtra, top+(it.t-in.height)/2)
		} else {
			L.place(in, left+(it.b-in.width)/2, top+clusterPad+in.labelExtra)
		}
	}
}

// layout ranks, orders and positions the level's items.
func (lv *levelLayout) layout(lr bool) {
	n := len(lv.items)
	if n == 0 {
		return
	}
	// 1. Break cycles: a depth-first search in the items' order reverses
	// the edges that go back to an item on its stack.
	out := make(map[*item][]*levelEdge)
	for _, e := range lv.edges {
		out[e.from] = append(out[e.from], e)
	}
	state := map[*item]int{}
	var dfs func(it *item)
	dfs = func(it *item) {
		state[it] = 1
		for _, e := range out[it] {
			switch state[e.to] {
			case 0:
				dfs(e.to)
			case 1:
				e.reversed = true
			}
		}
		state[it] = 2
	}
	for _, it := range lv.items {
		if state[it] == 0 {
			dfs(it)
		}
	}
	for _, e := range lv.edges {
		if e.reversed {
			e.from, e.to = e.to, e.from
		}
	}
	// 2. Longest-path ranks (Kahn's order on the acyclic edges).
	succ := map[*item][]*item{}
	indeg := map[*item]int{}
	for _, e := range lv.edges {
		succ[e.from] = append(succ[e.from], e.to)
		indeg[e.to]++
	}
	var queue []*item
	for _, it := range lv.items {
		it.rank = 0
		if indeg[it] == 0 {
			queue = append(queue, it)
		}
	}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		for _, s := range succ[it] {
			s.rank = max(s.rank, it.rank+1)
			if indeg[s]--; indeg[s] == 0 {
				queue = append(queue, s)
			}
		}
	}
	maxRank := 0
	for _, it := range lv.items {
		maxRank = max(maxRank, it.rank)
	}
	if lv.cl != nil {
		for _, it := range lv.items {
			if it.exit && len(succ[it]) == 0 {
				it.rank = maxRank
			}
		}
	}
	lv.ranks = make([][]*item, maxRank+1)
	for _, it := range lv.items {
		lv.ranks[it.rank] = append(lv.ranks[it.rank], it)
	}
	// 3. Dummy points.
	for _, e := range lv.edges {
		for r := e.from.rank + 1; r < e.to.rank; r++ {
			d := &item{rank: r, index: n + len(lv.ranks[r])}
			e.dummies = append(e.dummies, d)
			lv.ranks[r] = append(lv.ranks[r], d)
		}
	}
	lv.order()
	lv.positions()
	// Bands along v.
	gap := rankGap(lr)
	lv.bandStart = make([]float64, len(lv.ranks))
	lv.bandEnd = make([]float64, len(lv.ranks))
	v := 0.0
	for r, rank := range lv.ranks {
		t := 0.0
		for _, it := range rank {
			t = max(t, it.t)
		}
		lv.bandStart[r], lv.bandEnd[r] = v, v+t
		for _, it := range rank {
			it.v = v + t/2
		}
		v += t + gap
	}
	lv.height = v - gap
}

// neighbours returns, for each item, the items one rank up (pred) and one
// rank down (succ) it is joined to, through the dummy chains.
func (lv *levelLayout) neighbours() (pred, succ map[*item][]*item) {
	pred, succ = map[*item][]*item{}, map[*item][]*item{}
	for _, e := range lv.edges {
		chain := append(append([]*item{e.from}, e.dummies...), e.to)
		for i := 0; i+1 < len(chain); i++ {
			succ[chain[i]] = append(succ[chain[i]], chain[i+1])
			pred[chain[i+1]] = append(pred[chain[i+1]], chain[i])
		}
	}
	return pred, succ
}

// order sets each rank's order to reduce crossings.
func (lv *levelLayout) order() {
	pred, succ := lv.neighbours()
	setOrder := func(rank []*item) {
		for i, it := range rank {
			it.order = i
		}
	}
	// Initial order: rank 0 as listed; every next rank by the mean order
	// of its predecessors, ties by the model's order.
	for r, rank := range lv.ranks {
		if r > 0 {
			for _, it := range rank {
				it.pos = meanOrder(pred[it], float64(it.index)+1e6)
			}
			sort.SliceStable(rank, func(i, j int) bool { return rank[i].pos < rank[j].pos })
		}
		setOrder(rank)
	}
	best := lv.crossings(succ)
	saved := lv.saveOrder()
	for s := 0; s < sweeps && best > 0; s++ {
		down := s%2 == 0
		for k := 1; k < len(lv.ranks); k++ {
			r, nb := k, pred
			if !down {
				r, nb = len(lv.ranks)-1-k, succ
			}
			rank := lv.ranks[r]
			for _, it := range rank {
				it.pos = meanOrder(nb[it], float64(it.order))
			}
			sort.SliceStable(rank, func(i, j int) bool { return rank[i].pos < rank[j].pos })
			setOrder(rank)
		}
		if c := lv.crossings(succ); c < best {
			best, saved = c, lv.saveOrder()
		}
	}
	for r := range lv.ranks {
		lv.ranks[r] = saved[r]
		setOrder(lv.ranks[r])
	}
}

func meanOrder(its []*item, none float64) float64 {
	if len(its) == 0 {
		return none
	}
	s := 0.0
	for _, it := range its {
		s += float64(it.order)
	}
	return s / float64(len(its))
}

func (lv *levelLayout) saveOrder() [][]*item {
	out := make([][]*item, len(lv.ranks))
	for r, rank := range lv.ranks {
		out[r] = append([]*item(nil), rank...)
	}
	return out
}

// crossings counts pairs of crossing segments between adjacent ranks.
func (lv *levelLayout) crossings(succ map[*item][]*item) int {
	total := 0
	for _, rank := range lv.ranks {
		type seg struct{ a, b int }
		var segs []seg
		for _, it := range rank {
			for _, s := range succ[it] {
				segs = append(segs, seg{it.order, s.order})
			}
		}
		sort.Slice(segs, func(i, j int) bool {
			if segs[i].a != segs[j].a {
				return segs[i].a < segs[j].a
			}
			return segs[i].b < segs[j].b
		})
		// Inversions of b, by merge sort.
		bs := make([]int, len(segs))
		for i, s := range segs {
			bs[i] = s.b
		}
		total += inversions(bs, make([]int, len(bs)))
	}
	return total
}

func inversions(a, tmp []int) int {
	if len(a) < 2 {
		return 0
	}
	m := len(a) / 2
	n := inversions(a[:m], tmp[:m]) + inversions(a[m:], tmp[m:])
	i, j, k := 0, m, 0
	for i < m && j < len(a) {
		if a[j] < a[i] {
			n += m - i
			tmp[k] = a[j]
			j++
		} else {
			tmp[k] = a[i]
			i++
		}
		k++
	}
	k += copy(tmp[k:], a[i:m])
	copy(tmp[k:], a[j:])
	copy(a, tmp[:len(a)])
	return n
}

// positions sets u for every item: packed first, then pulled towards
// their neighbours while each rank keeps its order and spacing.
func (lv *levelLayout) positions() {
	pred, succ := lv.neighbours()
	sep := func(a, b *item) float64 {
		g := gapItems
		if a.dummy() || b.dummy() {
			g = gapDummy
		}
		return (a.b+b.b)/2 + g
	}
	for _, rank := range lv.ranks {
		u := 0.0
		for i, it := range rank {
			if i > 0 {
				u += sep(rank[i-1], it)
			} else {
				u = it.b / 2
			}
			it.u = u
		}
	}
	pull := func(r int, nbs ...map[*item][]*item) {
		rank := lv.ranks[r]
		want := make([]float64, len(rank))
		weight := make([]float64, len(rank))
		for i, it := range rank {
			s, k := 0.0, 0
			for _, nb := range nbs {
				for _, o := range nb[it] {
					s += o.u
					k++
				}
			}
			want[i], weight[i] = it.u, 0.25 // stay put when free
			if k > 0 {
				want[i], weight[i] = s/float64(k), 1
				if it.dummy() {
					weight[i] = 4 // keep long edges straight
				}
			}
		}
		offs := make([]float64, len(rank))
		for i := 1; i < len(rank); i++ {
			offs[i] = offs[i-1] + sep(rank[i-1], rank[i])
		}
		for i := range want {
			want[i] -= offs[i]
		}
		fit := isotonic(want, weight)
		for i, it := range rank {
			it.u = fit[i] + offs[i]
		}
	}
	for s := 0; s < placements; s++ {
		for r := 1; r < len(lv.ranks); r++ {
			pull(r, pred)
		}
		for r := len(lv.ranks) - 2; r >= 0; r-- {
			pull(r, succ)
		}
	}
	for r := range lv.ranks {
		pull(r, pred, succ)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, rank := range lv.ranks {
		for _, it := range rank {
			lo, hi = min(lo, it.u-it.b/2), max(hi, it.u+it.b/2)
		}
	}
	for _, rank := range lv.ranks {
		for _, it := range rank {
			it.u -= lo
		}
	}
	lv.width = hi - lo
}

// isotonic returns the non-decreasing sequence closest to y in weighted
// least squares (pool adjacent violators).
func isotonic(y, w []float64) []float64 {
	type block struct {
		mean, weight float64
		n            int
	}
	var bs []block
	for i := range y {
		bs = append(bs, block{y[i], w[i], 1})
		for len(bs) > 1 && bs[len(bs)-2].mean > bs[len(bs)-1].mean {
			a, b := bs[len(bs)-2], bs[len(bs)-1]
			wt := a.weight + b.weight
			bs = append(bs[:len(bs)-2], block{(a.mean*a.weight + b.mean*b.weight) / wt, wt, a.n + b.n})
		}
	}
	out := make([]float64, 0, len(y))
	for _, b := range bs {
		for k := 0; k < b.n; k++ {
			out = append(out, b.mean)
		}
	}
	return out
}
