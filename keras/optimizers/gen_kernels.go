//go:build ignore

// gen_kernels writes kernels_amd64.s, the AVX float32 update kernels of
// the optimizers. Run it with `go generate ./keras/optimizers`.
//
// Each kernel has the Go signature
//
//	func name(p0, p1, ... *float32, n int, c0, c1, ... float32)
//
// and runs an optimizer's update over n elements (n a multiple of 8),
// eight at a time, with the same float32 operations in the same order as
// the portable Go kernel, so that both give identical bits.
//
// Denormal numbers make Intel CPUs take a micro-code assist of about 100
// cycles on every multiplication or division that reads or produces one:
// an Adam step of a model whose gradients are often zero (the first layer
// of an image model, units that relu switched off) ran 8 times slower in
// training than in a benchmark with random gradients, as the moments of
// those weights decayed through the denormal range. So each group of 8
// first checks the arrays named in check: when any value is non-zero but
// smaller in magnitude than a threshold (tlin, or tsq for a value that is
// squared; the Go wrapper derives both from the constants, so that no
// product of a larger value underflows), the group is computed on a second
// path that performs every float32 operation in float64 (where these
// values are normal numbers and take no assist) and rounds each result to
// float32 before the next operation. One rounding of the exact result to
// float64 and a second one to float32 give the correctly rounded float32
// result for +, -, *, / and sqrt (53 >= 2*24+2 bits; Figueroa, "When is
// double rounding innocuous?", 1995), and the conversions take no assist,
// so the second path gives the same bits as the first, only faster. The
// thresholds decide only the speed, never the result: a group that takes
// the float32 path with a tiny value (a rare cancellation) merely pays the
// assist.
//
// Each kernel comes in two variants: name (AVX; its float64 path in ymm
// registers, four lanes at a time) and name512 (float64 path in zmm
// registers, eight lanes at once, for CPUs with AVX-512F).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"strings"
)

// op is one float32 operation: dst = a kind b (sqrt: dst = sqrt(a)).
type op struct{ kind, dst, a, b string }

// kernel describes one update. Values are named: an array's name is its
// old value, a constant's name the constant, any other name the result of
// an op.
type kernel struct {
	name   string
	doc    string
	arrays []string          // pointer arguments, in order
	consts []string          // float32 arguments after n, in order (at most 4)
	check  []string          // arrays whose values decide the path
	sq     []string          // of those, the ones that are squared (threshold tsq, else tlin)
	ops    []op              // the update, in the portable kernel's order
	stores map[string]string // value -> array it is written to
}

var kernels = []kernel{
	{
		name:   "adamAVX",
		doc:    "m += (g-m)*c1; v += (g*g-v)*c2; w -= a*m/(sqrt(v)+eps)",
		arrays: []string{"w", "g", "m", "v"},
		consts: []string{"c1", "c2", "a", "eps"},
		check:  []string{"g", "m", "v"},
		sq:     []string{"g"},
		ops: []op{
			{"sub", "t0", "g", "m"}, {"mul", "t1", "t0", "c1"}, {"add", "m1", "m", "t1"},
			{"mul", "t2", "g", "g"}, {"sub", "t3", "t2", "v"}, {"mul", "t4", "t3", "c2"}, {"add", "v1", "v", "t4"},
			{"sqrt", "t5", "v1", ""}, {"add", "t6", "t5", "eps"}, {"mul", "t7", "a", "m1"}, {"div", "t8", "t7", "t6"},
			{"sub", "w1", "w", "t8"},
		},
		stores: map[string]string{"m1": "m", "v1": "v", "w1": "w"},
	},
	{
		name:   "rmspropAVX",
		doc:    "v = rho*v + c*(g*g) (c = 1-rho); w -= lr*g/sqrt(v+eps)",
		arrays: []string{"w", "g", "v"},
		consts: []string{"lr", "rho", "c", "eps"},
		check:  []string{"g", "v"},
		sq:     []string{"g"},
		ops: []op{
			{"mul", "p1", "rho", "v"}, {"mul", "g2", "g", "g"}, {"mul", "p2", "c", "g2"}, {"add", "v1", "p1", "p2"},
			{"add", "s", "v1", "eps"}, {"sqrt", "r", "s", ""}, {"mul", "q", "lr", "g"}, {"div", "q2", "q", "r"},
			{"sub", "w1", "w", "q2"},
		},
		stores: map[string]string{"v1": "v", "w1": "w"},
	},
	{
		name:   "adagradAVX",
		doc:    "acc += g*g; w -= lr*g/sqrt(acc+eps)",
		arrays: []string{"w", "g", "acc"},
		consts: []string{"lr", "eps"},
		check:  []string{"g", "acc"},
		sq:     []string{"g"},
		ops: []op{
			{"mul", "g2", "g", "g"}, {"add", "a1", "acc", "g2"}, {"add", "s", "a1", "eps"}, {"sqrt", "r", "s", ""},
			{"mul", "q", "lr", "g"}, {"div", "q2", "q", "r"}, {"sub", "w1", "w", "q2"},
		},
		stores: map[string]string{"a1": "acc", "w1": "w"},
	},
	{
		name:   "sgdAVX",
		doc:    "w -= lr*g",
		arrays: []string{"w", "g"},
		consts: []string{"lr"},
		check:  []string{"g"},
		ops:    []op{{"mul", "q", "lr", "g"}, {"sub", "w1", "w", "q"}},
		stores: map[string]string{"w1": "w"},
	},
	{
		name:   "sgdMomentumAVX",
		doc:    "m = mu*m - lr*g; w += m",
		arrays: []string{"w", "g", "m"},
		consts: []string{"lr", "mu"},
		check:  []string{"g", "m"},
		ops: []op{
			{"mul", "p", "mu", "m"}, {"mul", "q", "lr", "g"}, {"sub", "m1", "p", "q"}, {"add", "w1", "w", "m1"},
		},
		stores: map[string]string{"m1": "m", "w1": "w"},
	},
	{
		name:   "sgdNesterovAVX",
		doc:    "m = mu*m - lr*g; w += mu*m - lr*g",
		arrays: []string{"w", "g", "m"},
		consts: []string{"lr", "mu"},
		check:  []string{"g", "m"},
		ops: []op{
			{"mul", "p", "mu", "m"}, {"mul", "q", "lr", "g"}, {"sub", "m1", "p", "q"},
			{"mul", "r", "mu", "m1"}, {"sub", "s", "r", "q"}, {"add", "w1", "w", "s"},
		},
		stores: map[string]string{"m1": "m", "w1": "w"},
	},
}

var ptrRegs = []string{"DI", "SI", "DX", "R8", "R9", "R10"}

func main() {
	out := flag.String("out", ".", "folder to write kernels_amd64.s and kernels_decl_amd64.go into")
	flag.Parse()
	var s bytes.Buffer
	fmt.Fprintf(&s, "// Code generated by gen_kernels.go; DO NOT EDIT.\n\n//go:build amd64 && !purego\n\n#include \"textflag.h\"\n\n")
	fmt.Fprintf(&s, "DATA optAbsMask<>+0(SB)/4, $0x7fffffff\nGLOBL optAbsMask<>(SB), RODATA|NOPTR, $4\n\n")
	var d bytes.Buffer
	fmt.Fprintf(&d, "// Code generated by gen_kernels.go; DO NOT EDIT.\n\n//go:build amd64 && !purego\n\npackage optimizers\n\n")
	for _, k := range kernels {
		for _, wide := range []bool{false, true} {
			k.gen(&s, wide)
			k.decl(&d, wide)
		}
	}
	if err := os.WriteFile(filepath.Join(*out, "kernels_amd64.s"), s.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	src, err := format.Source(d.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*out, "kernels_decl_amd64.go"), src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// fname is the kernel's name: the AVX one, or the one whose float64 path
// uses AVX-512 (8 lanes in one zmm register).
func (k kernel) fname(wide bool) string {
	if wide {
		return k.name + "512"
	}
	return k.name
}

func (k kernel) argSize() int { return 8*len(k.arrays) + 8 + 4*len(k.consts) + 8 }

func (k kernel) signature() string {
	var ps []string
	for _, a := range k.arrays {
		ps = append(ps, a+"p")
	}
	return fmt.Sprintf("%s *float32, n int, %s, tlin, tsq float32", strings.Join(ps, ", "), strings.Join(k.consts, ", "))
}

func (k kernel) decl(w *bytes.Buffer, wide bool) {
	isa := "AVX (its float64 path too)"
	if wide {
		isa = "AVX, its float64 path AVX-512F"
	}
	fmt.Fprintf(w, "// %s runs %s over n elements (a multiple of 8)\n// with the portable kernel's float32 operations in its order; %s.\n", k.fname(wide), k.doc, isa)
	fmt.Fprintf(w, "// A group of 8 with a non-zero input below tlin (tsq for a squared\n// input) in magnitude takes the float64 path (see gen_kernels.go).\n//\n//go:noescape\n")
	fmt.Fprintf(w, "func %s(%s)\n\n", k.fname(wide), k.signature())
}

// regs hands out vector registers for values.
type regs struct {
	free []int
	of   map[string]int
	last map[string]int // index of the last op reading a value
}

func (k kernel) lastUses() map[string]int {
	last := map[string]int{}
	for i, o := range k.ops {
		last[o.a] = i
		if o.b != "" {
			last[o.b] = i
		}
	}
	return last
}

// newRegs hands out registers lo..hi.
func newRegs(last map[string]int, lo, hi int) *regs {
	r := &regs{of: map[string]int{}, last: last}
	for i := hi; i >= lo; i-- {
		r.free = append(r.free, i)
	}
	return r
}

func (r *regs) get(name string) int {
	if len(r.free) == 0 {
		log.Fatalf("out of registers at %s", name)
	}
	x := r.free[len(r.free)-1]
	r.free = r.free[:len(r.free)-1]
	r.of[name] = x
	return x
}

func (r *regs) release(name string) {
	if x, ok := r.of[name]; ok {
		delete(r.of, name)
		r.free = append(r.free, x)
	}
}

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

var mnemonic = map[string]string{"add": "VADD", "sub": "VSUB", "mul": "VMUL", "div": "VDIV", "sqrt": "VSQRT"}

// Registers of the float32 path: values Y0-Y7, constants Y8-Y11, the
// thresholds tlin and tsq Y12 and Y13, the absolute-value mask Y14, zero
// Y15. The AVX float64 path reuses Y12-Y15 for the constants in float64
// and restores them before it returns to the loop; the AVX-512 one keeps
// its constants in Z16-Z19 and its values in Z20-Z30, Y31 rounding.
func (k kernel) gen(w *bytes.Buffer, wide bool) {
	if len(k.consts) > 4 || len(k.arrays) > len(ptrRegs) {
		log.Fatalf("%s: too many arguments", k.name)
	}
	fmt.Fprintf(w, "// func %s(%s)\n//\n// %s, eight lanes per iteration; n must be a multiple of 8.\n", k.fname(wide), k.signature(), k.doc)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", k.fname(wide), k.argSize())
	for i, a := range k.arrays {
		fmt.Fprintf(w, "\tMOVQ %sp+%d(FP), %s\n", a, 8*i, ptrRegs[i])
	}
	fmt.Fprintf(w, "\tMOVQ n+%d(FP), CX\n", 8*len(k.arrays))
	for i, c := range k.consts {
		fmt.Fprintf(w, "\tVBROADCASTSS %s+%d(FP), Y%d\n", c, k.constOffset(i), 8+i)
		if wide {
			fmt.Fprintf(w, "\tVCVTPS2PD Y%d, Z%d\n", 8+i, 16+i)
		}
	}
	k.thresholds(w)
	fmt.Fprintf(w, "\tSHRQ $3, CX\n\tJZ done\n\nloop:\n")
	k.fast(w)
	fmt.Fprintf(w, "\nnext:\n")
	for i := range k.arrays {
		fmt.Fprintf(w, "\tADDQ $32, %s\n", ptrRegs[i])
	}
	fmt.Fprintf(w, "\tDECQ CX\n\tJNZ loop\n\ndone:\n\tVZEROUPPER\n\tRET\n\n")
	fmt.Fprintf(w, "// The float64 path for a group with a tiny input.\nexact:\n")
	if wide {
		k.dispatch(w)
		for set := 1; set < 1<<len(k.check); set++ {
			fmt.Fprintf(w, "\nexact%d:\n", set)
			k.exactTainted(w, set)
			fmt.Fprintf(w, "\tJMP next\n")
		}
	} else {
		for i := range k.consts {
			fmt.Fprintf(w, "\tVCVTPS2PD X%d, Y%d\n", 8+i, 12+i)
		}
		for h := 0; h < 2; h++ {
			k.exact(w, h, false)
		}
		k.thresholds(w)
	}
	fmt.Fprintf(w, "\tJMP next\n\n")
}

// dispatch finds which checked arrays hold a tiny value in the group
// (bit i of AX for check[i]) and jumps to the path for that set.
func (k kernel) dispatch(w *bytes.Buffer) {
	fmt.Fprintf(w, "\tXORL AX, AX\n")
	for i, a := range k.check {
		thr := 12
		if index(k.sq, a) >= 0 {
			thr = 13
		}
		fmt.Fprintf(w, "\tVANDPS (%s), Y14, Y0 // |%s|\n", ptrRegs[index(k.arrays, a)], a)
		fmt.Fprintf(w, "\tVCMPPS $0x11, Y%d, Y0, Y1\n\tVCMPPS $0x0c, Y15, Y0, Y0\n\tVANDPS Y0, Y1, Y1\n", thr)
		fmt.Fprintf(w, "\tVMOVMSKPS Y1, BX\n\tTESTL BX, BX\n\tJZ tiny%dno\n\tORL $%d, AX\ntiny%dno:\n", i, 1<<i, i)
	}
	for set := 1; set < 1<<len(k.check); set++ {
		fmt.Fprintf(w, "\tCMPL AX, $%d\n\tJEQ exact%d\n", set, set)
	}
	fmt.Fprintf(w, "\tJMP exact%d\n", 1<<len(k.check)-1)
}

// exactTainted emits the AVX-512 float64 path for a group whose checked
// arrays in set (bit i: check[i]) hold tiny values: the operations that
// depend on those arrays run in float64 in zmm registers, each result
// rounded to float32 and widened again (Y31 rounds); the others cannot
// meet a tiny value and run in float32 as on the fast path.
func (k kernel) exactTainted(w *bytes.Buffer, set int) {
	tainted := map[string]bool{}
	for i, a := range k.check {
		if set&(1<<i) != 0 {
			tainted[a] = true
		}
	}
	for _, o := range k.ops {
		if tainted[o.a] || (o.b != "" && tainted[o.b]) {
			tainted[o.dst] = true
		}
	}
	// An array read by a float32 operation is loaded as float32 and
	// widened where a float64 one reads it; others are loaded widened.
	narrowUse := map[string]bool{}
	for _, o := range k.ops {
		if !tainted[o.dst] {
			narrowUse[o.a], narrowUse[o.b] = true, true
		}
	}
	last := k.lastUses()
	f32 := newRegs(last, 0, 7)
	f64 := newRegs(last, 20, 30)
	isWide := map[string]bool{}
	fetch := func(name string, wantWide bool) (reg int, temp bool) {
		if c := index(k.consts, name); c >= 0 {
			if wantWide {
				return 16 + c, false
			}
			return 8 + c, false
		}
		if isWide[name] {
			return f64.of[name], false
		}
		if x, ok := f32.of[name]; ok {
			if !wantWide {
				return x, false
			}
			t := f64.get("#w" + name)
			fmt.Fprintf(w, "\tVCVTPS2PD Y%d, Z%d // widen %s\n", x, t, name)
			return t, true
		}
		a := index(k.arrays, name)
		if a < 0 {
			log.Fatalf("%s: %s used before it is computed", k.name, name)
		}
		if tainted[name] || !narrowUse[name] {
			x := f64.get(name)
			isWide[name] = true
			fmt.Fprintf(w, "\tVCVTPS2PD (%s), Z%d\n", ptrRegs[a], x)
			return x, false
		}
		x := f32.get(name)
		fmt.Fprintf(w, "\tVMOVUPS (%s), Y%d\n", ptrRegs[a], x)
		if !wantWide {
			return x, false
		}
		t := f64.get("#w" + name)
		fmt.Fprintf(w, "\tVCVTPS2PD Y%d, Z%d // widen %s\n", x, t, name)
		return t, true
	}
	release := func(name string) {
		if isWide[name] {
			f64.release(name)
			delete(isWide, name)
		} else {
			f32.release(name)
		}
	}
	for i, o := range k.ops {
		wideOp := tainted[o.dst]
		a, ta := fetch(o.a, wideOp)
		b, tb := -1, false
		if o.kind != "sqrt" {
			b, tb = fetch(o.b, wideOp)
		}
		if ta {
			f64.release("#w" + o.a)
		}
		if tb {
			f64.release("#w" + o.b)
		}
		for _, s := range []string{o.a, o.b} {
			if s != "" && index(k.consts, s) < 0 && last[s] == i {
				release(s)
			}
		}
		_, used := last[o.dst]
		stored := k.stores[o.dst]
		if !wideOp {
			d := f32.get(o.dst)
			if o.kind == "sqrt" {
				fmt.Fprintf(w, "\tVSQRTPS Y%d, Y%d // %s = sqrt %s\n", a, d, o.dst, o.a)
			} else {
				fmt.Fprintf(w, "\t%sPS Y%d, Y%d, Y%d // %s = %s %s %s\n", mnemonic[o.kind], b, a, d, o.dst, o.a, o.kind, o.b)
			}
			if stored != "" {
				fmt.Fprintf(w, "\tVMOVUPS Y%d, (%s)\n", d, ptrRegs[index(k.arrays, stored)])
			}
			if !used {
				f32.release(o.dst)
			}
			continue
		}
		d := f64.get(o.dst)
		isWide[o.dst] = true
		if o.kind == "sqrt" {
			fmt.Fprintf(w, "\tVSQRTPD Z%d, Z%d // %s = sqrt %s\n", a, d, o.dst, o.a)
		} else {
			fmt.Fprintf(w, "\t%sPD Z%d, Z%d, Z%d // %s = %s %s %s\n", mnemonic[o.kind], b, a, d, o.dst, o.a, o.kind, o.b)
		}
		fmt.Fprintf(w, "\tVCVTPD2PS Z%d, Y31\n", d)
		if stored != "" {
			fmt.Fprintf(w, "\tVMOVUPS Y31, (%s)\n", ptrRegs[index(k.arrays, stored)])
		}
		if used {
			fmt.Fprintf(w, "\tVCVTPS2PD Y31, Z%d\n", d)
		} else {
			release(o.dst)
		}
	}
}

func (k kernel) constOffset(i int) int { return 8*len(k.arrays) + 8 + 4*i }

// thresholds loads Y12-Y15.
func (k kernel) thresholds(w *bytes.Buffer) {
	off := k.constOffset(len(k.consts))
	fmt.Fprintf(w, "\tVBROADCASTSS tlin+%d(FP), Y12\n\tVBROADCASTSS tsq+%d(FP), Y13\n", off, off+4)
	fmt.Fprintf(w, "\tVBROADCASTSS optAbsMask<>(SB), Y14\n\tVXORPS Y15, Y15, Y15\n")
}

// fast emits the check and the float32 path of one group of 8.
func (k kernel) fast(w *bytes.Buffer) {
	r := newRegs(k.lastUses(), 0, 7)
	for _, a := range k.check {
		x := r.get(a)
		fmt.Fprintf(w, "\tVMOVUPS (%s), Y%d\n", ptrRegs[index(k.arrays, a)], x)
	}
	acc := r.get("#acc")
	t := r.get("#t")
	u := r.get("#u")
	for i, a := range k.check {
		x := r.of[a]
		dst := u
		if i == 0 {
			dst = acc
		}
		thr := 12
		if index(k.sq, a) >= 0 {
			thr = 13
		}
		fmt.Fprintf(w, "\tVANDPS Y14, Y%d, Y%d // |%s|\n", x, t, a)
		fmt.Fprintf(w, "\tVCMPPS $0x11, Y%d, Y%d, Y%d // |%s| < threshold\n", thr, t, dst, a)
		fmt.Fprintf(w, "\tVCMPPS $0x0c, Y15, Y%d, Y%d // %s != 0\n", t, t, a)
		fmt.Fprintf(w, "\tVANDPS Y%d, Y%d, Y%d\n", t, dst, dst)
		if i > 0 {
			fmt.Fprintf(w, "\tVORPS Y%d, Y%d, Y%d\n", u, acc, acc)
		}
	}
	fmt.Fprintf(w, "\tVMOVMSKPS Y%d, AX\n\tTESTL AX, AX\n\tJNZ exact\n", acc)
	r.release("#acc")
	r.release("#t")
	r.release("#u")
	k.body(w, r, func(name string) int { return 8 + index(k.consts, name) },
		func(a string, x int) string {
			return fmt.Sprintf("\tVMOVUPS (%s), Y%d\n", ptrRegs[index(k.arrays, a)], x)
		},
		func(o op, a, b, d int) string {
			if o.kind == "sqrt" {
				return fmt.Sprintf("\tVSQRTPS Y%d, Y%d // %s = sqrt %s\n", a, d, o.dst, o.a)
			}
			return fmt.Sprintf("\t%sPS Y%d, Y%d, Y%d // %s = %s %s %s\n", mnemonic[o.kind], b, a, d, o.dst, o.a, o.kind, o.b)
		},
		func(o op, d int, stored string, used bool) string {
			if stored == "" {
				return ""
			}
			return fmt.Sprintf("\tVMOVUPS Y%d, (%s)\n", d, ptrRegs[index(k.arrays, stored)])
		})
}

// exact emits the float64 path: every operation in float64 on float32
// operands, its result rounded to float32 (VCVTPD2PS) and widened again.
// The AVX path does lanes 4h..4h+3 in ymm registers (Y7 rounds), the
// AVX-512 one all 8 in zmm registers (Y31 rounds).
func (k kernel) exact(w *bytes.Buffer, h int, wide bool) {
	v, lo, hi, tmp, cbase := "Y", 0, 6, "X7", 12
	cvt := "VCVTPD2PSY"
	if wide {
		v, lo, hi, tmp, cbase, cvt = "Z", 20, 30, "Y31", 16, "VCVTPD2PS"
	}
	r := newRegs(k.lastUses(), lo, hi)
	k.body(w, r, func(name string) int { return cbase + index(k.consts, name) },
		func(a string, x int) string {
			return fmt.Sprintf("\tVCVTPS2PD %d(%s), %s%d\n", 16*h, ptrRegs[index(k.arrays, a)], v, x)
		},
		func(o op, a, b, d int) string {
			if o.kind == "sqrt" {
				return fmt.Sprintf("\tVSQRTPD %s%d, %s%d // %s = sqrt %s\n", v, a, v, d, o.dst, o.a)
			}
			return fmt.Sprintf("\t%sPD %s%d, %s%d, %s%d // %s = %s %s %s\n", mnemonic[o.kind], v, b, v, a, v, d, o.dst, o.a, o.kind, o.b)
		},
		func(o op, d int, stored string, used bool) string {
			s := fmt.Sprintf("\t%s %s%d, %s\n", cvt, v, d, tmp)
			if stored != "" {
				s += fmt.Sprintf("\tVMOVUPS %s, %d(%s)\n", tmp, 16*h, ptrRegs[index(k.arrays, stored)])
			}
			if used {
				s += fmt.Sprintf("\tVCVTPS2PD %s, %s%d\n", tmp, v, d)
			}
			return s
		})
}

// body emits the ops: operands from constants, registers or loads, the
// destination in a register freed at its operands' last use, then what
// after(op, dst, array stored to, used later) returns.
func (k kernel) body(w *bytes.Buffer, r *regs, constReg func(string) int, load func(string, int) string,
	emit func(o op, a, b, d int) string, after func(o op, d int, stored string, used bool) string) {
	operand := func(name string) int {
		if index(k.consts, name) >= 0 {
			return constReg(name)
		}
		if x, ok := r.of[name]; ok {
			return x
		}
		if index(k.arrays, name) < 0 {
			log.Fatalf("%s: %s used before it is computed", k.name, name)
		}
		x := r.get(name)
		w.WriteString(load(name, x))
		return x
	}
	for i, o := range k.ops {
		a := operand(o.a)
		b := -1
		if o.kind != "sqrt" {
			b = operand(o.b)
		}
		for _, s := range []string{o.a, o.b} {
			if s != "" && index(k.consts, s) < 0 && r.last[s] == i {
				r.release(s)
			}
		}
		d := r.get(o.dst)
		w.WriteString(emit(o, a, b, d))
		_, used := r.last[o.dst]
		w.WriteString(after(o, d, k.stores[o.dst], used))
		if !used {
			r.release(o.dst)
		}
	}
}
