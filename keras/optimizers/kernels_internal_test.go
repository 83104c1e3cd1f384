package optimizers

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
)

// TestAdamKernelsAgree checks that the assembly float32 Adam kernel gives
// bit for bit what the portable one gives, over lengths that exercise the
// 8-lane body and the scalar tail, and over awkward values (zero second
// moments, tiny and huge gradients).
func TestAdamKernelsAgree(t *testing.T) {
	if !setPortable(false) {
		t.Skip("no assembly kernel on this platform or CPU")
	}
	defer setPortable(false)
	rng := rand.New(rand.NewSource(3))
	lengths := []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 64, 1003}
	for _, n := range lengths {
		w, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range w {
			w[i] = float32(rng.NormFloat64())
			switch i % 5 {
			case 0:
				g[i] = 0
			case 1:
				g[i] = float32(rng.NormFloat64() * 1e-20)
			case 2:
				g[i] = float32(rng.NormFloat64() * 1e15)
			default:
				g[i] = float32(rng.NormFloat64())
			}
		}
		type state struct{ w, m, v []float32 }
		results := map[bool]state{}
		for _, portable := range []bool{true, false} {
			setPortable(portable)
			ww, mm, vv := append([]float32(nil), w...), append([]float32(nil), m...), append([]float32(nil), v...)
			for step := 1; step <= 3; step++ {
				alpha := float32(0.001 * math.Sqrt(1-math.Pow(0.999, float64(step))) / (1 - math.Pow(0.9, float64(step))))
				adam32(ww, g, mm, vv, 0.1, 0.001, alpha, 1e-7)
			}
			results[portable] = state{ww, mm, vv}
		}
		p, a := results[true], results[false]
		for i := 0; i < n; i++ {
			if math.Float32bits(p.w[i]) != math.Float32bits(a.w[i]) || math.Float32bits(p.m[i]) != math.Float32bits(a.m[i]) ||
				math.Float32bits(p.v[i]) != math.Float32bits(a.v[i]) {
				t.Fatalf("n=%d, i=%d: portable w,m,v = %v,%v,%v; assembly %v,%v,%v", n, i, p.w[i], p.m[i], p.v[i], a.w[i], a.m[i], a.v[i])
			}
		}
	}
}

// awkward returns n float32 values mixing every class an update can meet:
// zeros, ordinary values, values whose squares or products underflow,
// denormals, values around the 2^-60 threshold of the float64 path, huge
// values, infinities and NaN. nonNegative keeps them >= 0 (second
// moments).
func awkward(rng *rand.Rand, n int, nonNegative bool) []float32 {
	out := make([]float32, n)
	for i := range out {
		var v float64
		switch rng.Intn(10) {
		case 0:
			v = 0
		case 1, 2, 3:
			v = rng.NormFloat64()
		case 4:
			v = rng.NormFloat64() * 1e-20
		case 5:
			v = rng.NormFloat64() * 1e-40 // float32 denormals
		case 6:
			v = rng.NormFloat64() * 0x1p-60
		case 7:
			v = rng.NormFloat64() * 1e30
		case 8:
			v = float64(math.Float32frombits(uint32(rng.Intn(1 << 23)))) // any denormal
		default:
			switch rng.Intn(4) {
			case 0:
				v = math.Inf(1)
			case 1:
				v = math.Inf(-1)
			case 2:
				v = math.NaN()
			default:
				v = rng.NormFloat64() * 1e-5
			}
		}
		if nonNegative {
			v = math.Abs(v)
		}
		out[i] = float32(v)
	}
	return out
}

// sameBits reports whether a and b are the same float32 bit patterns, NaN
// payloads included.
func sameBits(a, b []float32) (int, bool) {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i, false
		}
	}
	return -1, true
}

// TestAVXKernelsAgree checks every float32 assembly kernel against the
// portable Go kernel, bit for bit, over awkward values (including the
// denormals that send a group of 8 to the float64 path), lengths that
// exercise the 8-lane body and the scalar tail, several steps, and
// ordinary and extreme hyperparameters.
func TestAVXKernelsAgree(t *testing.T) {
	if !setPortable(false) {
		t.Skip("no assembly kernel on this platform or CPU")
	}
	defer setPortable(false)
	kernels := []kernelCase{
		{"adam", 4, []bool{false, false, false, true}, func(a [][]float32, c []float32) { adam32(a[0], a[1], a[2], a[3], c[0], c[1], c[2], c[3]) }},
		{"rmsprop", 3, []bool{false, false, true}, func(a [][]float32, c []float32) { rmsprop32(a[0], a[1], a[2], c[0], c[1], c[3]) }},
		{"adagrad", 3, []bool{false, false, true}, func(a [][]float32, c []float32) { adagrad32(a[0], a[1], a[2], c[0], c[3]) }},
		{"sgd", 2, []bool{false, false}, func(a [][]float32, c []float32) { sgd32(a[0], a[1], c[0]) }},
		{"momentum", 3, []bool{false, false, false}, func(a [][]float32, c []float32) { sgdMomentum32(a[0], a[1], a[2], c[0], c[1], false) }},
		{"nesterov", 3, []bool{false, false, false}, func(a [][]float32, c []float32) { sgdMomentum32(a[0], a[1], a[2], c[0], c[1], true) }},
	}
	params := [][]float32{{0.001, 0.9, 0.001, 1e-7}, {0.1, 0.999, 1e-6, 0}, {1e-30, 1e-20, 0.5, 1e-30}}
	rng := rand.New(rand.NewSource(11))
	defer setWide(true)
	for _, wide := range []bool{false, true} {
		if wide && !setWide(true) {
			t.Log("no AVX-512F: the wide float64 path is not tested")
			continue
		}
		setWide(wide)
		testKernels(t, rng, kernels, params, wide)
	}
}

type kernelCase struct {
	name   string
	arrays int // w, g, then state
	nonNeg []bool
	run    func(a [][]float32, c []float32)
}

func testKernels(t *testing.T, rng *rand.Rand, kernels []kernelCase, params [][]float32, wide bool) {
	t.Helper()
	for _, k := range kernels {
		for _, n := range []int{1, 7, 8, 9, 16, 31, 64, 1003} {
			for pi, c := range params {
				init := make([][]float32, k.arrays)
				for j := range init {
					init[j] = awkward(rng, n, k.nonNeg[j])
				}
				if n == 1003 {
					// Groups of 8 whose tiny values lie in every subset of
					// the arrays after w, one subset per group, to reach
					// each of the float64 paths.
					for grp := 0; grp*8+8 <= n; grp++ {
						for j := 1; j < k.arrays; j++ {
							for i := grp * 8; i < grp*8+8; i++ {
								v := float32(rng.NormFloat64())
								if grp&(1<<(j-1)) != 0 && i%3 == 0 {
									v = float32(rng.NormFloat64() * 1e-40)
								}
								if k.nonNeg[j] && v < 0 {
									v = -v
								}
								init[j][i] = v
							}
						}
					}
				}
				results := map[bool][][]float32{}
				for _, portable := range []bool{true, false} {
					setPortable(portable)
					a := make([][]float32, k.arrays)
					for j := range a {
						a[j] = append([]float32(nil), init[j]...)
					}
					for step := 0; step < 3; step++ {
						k.run(a, c)
					}
					results[portable] = a
				}
				for j := range init {
					if i, ok := sameBits(results[true][j], results[false][j]); !ok {
						t.Fatalf("%s (wide %v) n=%d params %d array %d element %d: portable %v (%#x), assembly %v (%#x); inputs %v",
							k.name, wide, n, pi, j, i, results[true][j][i], math.Float32bits(results[true][j][i]),
							results[false][j][i], math.Float32bits(results[false][j][i]), column(init, i))
					}
				}
			}
		}
	}
}

func column(a [][]float32, i int) []float32 {
	out := make([]float32, len(a))
	for j := range a {
		out[j] = a[j][i]
	}
	return out
}

// BenchmarkAdamTinyValues times the float32 Adam step over 100,000
// parameters with the portable kernel and with the assembly kernels: with
// ordinary gradients (1e-3), with tiny gradients (1e-20, whose squares
// are denormal) and with zero gradients and a first moment decayed to
// 1e-38 (a weight whose input has been zero for a few hundred steps, the
// common case in training). The moments are reset before every step.
// Run: go test ./keras/optimizers -run '^$' -bench TinyValues
func BenchmarkAdamTinyValues(b *testing.B) {
	cases := []struct {
		name  string
		g, m0 float32
	}{{"ordinary", 1e-3, 1e-3}, {"tiny_g", 1e-20, 0}, {"decayed_m", 0, 1e-38}}
	for _, c := range cases {
		for _, impl := range []string{"portable", "avx", "avx512"} {
			b.Run(c.name+"/impl="+impl, func(b *testing.B) {
				if !setPortable(impl == "portable") && impl != "portable" {
					b.Skip("no assembly kernel")
				}
				if !setWide(impl == "avx512") && impl == "avx512" {
					b.Skip("no AVX-512F")
				}
				defer setPortable(false)
				defer setWide(true)
				n := 100000
				w, g, m, v, m0 := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
				for i := range g {
					g[i], w[i], m0[i] = c.g, 1, c.m0
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					copy(m, m0)
					clear(v)
					adam32(w, g, m, v, 0.1, 0.001, 1e-3, 1e-7)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/param")
			})
		}
	}
}

// BenchmarkAdamSplit times a float32 Adam step over one variable of n
// parameters on one goroutine and split in two, to place the size above
// which an update is split (updateSplit per goroutine); run it on a quiet
// machine, a busy second core makes every split lose.
func BenchmarkAdamSplit(b *testing.B) {
	defer func(s int) { updateSplit = s; backend.SetMaxWorkers(0) }(updateSplit)
	updateSplit = 1
	for _, n := range []int{1 << 13, 1 << 15, 1 << 17, 1 << 19} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("n=%d/workers=%d", n, workers), func(b *testing.B) {
				backend.SetMaxWorkers(workers)
				v, err := backend.NewVariable("w", tensor.Float32, []int{n}, true)
				if err != nil {
					b.Fatal(err)
				}
				g := v.Grad().Data().([]float32)
				for i := range g {
					g[i] = float32(i%13) * 1e-3
				}
				o := Adam()
				vars := []*backend.Variable{v}
				if err := o.Apply(vars); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := o.Apply(vars); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/param")
			})
		}
	}
}
