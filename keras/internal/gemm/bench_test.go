package gemm

import (
	"fmt"
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShapes are the products of the gokeras workloads: the Fashion-MNIST
// MLP (784-128-10) at batch 32 and 512, forward and backward, predicting
// one row with it, the Boston-housing regression MLP (13-64-64-1) at batch
// 32, and the im2col GEMMs of the MNIST CNN at batch 128.
var benchShapes = []struct {
	name    string
	tA, tB  bool
	m, n, k int
}{
	{"mlp32_fwd1_NN_32x128x784", false, false, 32, 128, 784},
	{"mlp32_fwd2_NN_32x10x128", false, false, 32, 10, 128},
	{"mlp32_dW1_TN_784x128x32", true, false, 784, 128, 32},
	{"mlp32_dW2_TN_128x10x32", true, false, 128, 10, 32},
	{"mlp32_dH_NT_32x128x10", false, true, 32, 128, 10},
	{"mlp512_fwd1_NN_512x128x784", false, false, 512, 128, 784},
	{"mlp512_dW1_TN_784x128x512", true, false, 784, 128, 512},
	{"mlp512_fwd2_NN_512x10x128", false, false, 512, 10, 128},
	{"mlp512_dW2_TN_128x10x512", true, false, 128, 10, 512},
	{"mlp512_dH_NT_512x128x10", false, true, 512, 128, 10},
	{"cnn128_conv1_NN_86528x32x9", false, false, 128 * 26 * 26, 32, 9},
	{"cnn128_conv2_NN_73728x64x288", false, false, 128 * 24 * 24, 64, 288},
	{"cnn128_conv2dW_TN_288x64x73728", true, false, 288, 64, 128 * 24 * 24},
	{"cnn128_conv2dX_NT_73728x288x64", false, true, 128 * 24 * 24, 288, 64},
	{"rnn32_step_NN_32x256x64", false, false, 32, 256, 64},
	{"predict1_NN_1x128x784", false, false, 1, 128, 784},
	{"predict1_NN_1x10x128", false, false, 1, 10, 128},
	{"reg32_fwd1_NN_32x64x13", false, false, 32, 64, 13},
	{"reg32_fwd2_NN_32x64x64", false, false, 32, 64, 64},
	{"reg32_fwd3_NN_32x1x64", false, false, 32, 1, 64},
	{"reg32_dW1_TN_13x64x32", true, false, 13, 64, 32},
	{"reg32_dW3_TN_64x1x32", true, false, 64, 1, 32},
	{"reg32_dH2_NT_32x64x1", false, true, 32, 64, 1},
	{"square_NN_512x512x512", false, false, 512, 512, 512},
	{"square_NN_1024x1024x1024", false, false, 1024, 1024, 1024},
	{"square_NN_1000x1000x1000", false, false, 1000, 1000, 1000},
}

// BenchmarkSgemm times each shape with gonum's pure-Go Sgemm and with
// every kernel of this package (one goroutine, and "auto": the kernel
// Sgemm picks with its parallel split), reporting GFLOP/s.
// "avx512x2" forces the two-goroutine split, "avx512-packB" forces B to be
// packed. Run (see docs/performance.md):
//
//	go test ./keras/internal/gemm -run '^$' -bench Sgemm -count 5 > new.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /impl -row /shape new.txt
func BenchmarkSgemm(b *testing.B) {
	ss, _ := impls()
	for _, sh := range benchShapes {
		rng := rand.New(rand.NewSource(1))
		ar, ac := sh.m, sh.k
		if sh.tA {
			ar, ac = sh.k, sh.m
		}
		br, bc := sh.k, sh.n
		if sh.tB {
			br, bc = sh.n, sh.k
		}
		a, bb, c := randSlice(rng, ar*ac), randSlice(rng, br*bc), make([]float32, sh.m*sh.n)
		flops := 2 * float64(sh.m) * float64(sh.n) * float64(sh.k)
		var cpu cpuTimer
		start := func(b *testing.B) {
			b.ResetTimer()
			cpu = startCPUTimer()
		}
		report := func(b *testing.B) {
			reportCPU(b, flops, cpu.stop())
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		}
		b.Run("shape="+sh.name+"/impl=gonum", func(b *testing.B) {
			ta, tb := blas.NoTrans, blas.NoTrans
			if sh.tA {
				ta = blas.Trans
			}
			if sh.tB {
				tb = blas.Trans
			}
			start(b)
			for i := 0; i < b.N; i++ {
				gonum.Implementation{}.Sgemm(ta, tb, sh.m, sh.n, sh.k, 1, a, ac, bb, bc, 0, c, sh.n)
			}
			report(b)
		})
		for _, p := range ss {
			if p.name == "generic" && flops > 1e9 {
				continue // minutes per run, and never chosen on amd64
			}
			b.Run(fmt.Sprintf("shape=%s/impl=%s", sh.name, p.name), func(b *testing.B) {
				defer setWorkers(1)()
				start(b)
				for i := 0; i < b.N; i++ {
					gemm(p, sh.tA, sh.tB, sh.m, sh.n, sh.k, 1, a, ac, bb, bc, 0, c, sh.n)
				}
				report(b)
			})
		}
		best := ss[len(ss)-1]
		b.Run("shape="+sh.name+"/impl="+best.name+"x2", func(b *testing.B) {
			defer setWorkers(2)()
			defer setParallel(0)()
			start(b)
			for i := 0; i < b.N; i++ {
				gemm(best, sh.tA, sh.tB, sh.m, sh.n, sh.k, 1, a, ac, bb, bc, 0, c, sh.n)
			}
			report(b)
		})
		b.Run("shape="+sh.name+"/impl="+best.name+"-packB", func(b *testing.B) {
			defer setWorkers(1)()
			old := packBMinRows
			packBMinRows = 1
			defer func() { packBMinRows = old }()
			start(b)
			for i := 0; i < b.N; i++ {
				gemm(best, sh.tA, sh.tB, sh.m, sh.n, sh.k, 1, a, ac, bb, bc, 0, c, sh.n)
			}
			report(b)
		})
		b.Run("shape="+sh.name+"/impl=auto", func(b *testing.B) {
			start(b)
			for i := 0; i < b.N; i++ {
				Sgemm(sh.tA, sh.tB, sh.m, sh.n, sh.k, 1, a, ac, bb, bc, 0, c, sh.n)
			}
			report(b)
		})
	}
}

// reportCPU adds the GFLOP per CPU-second of the process.
func reportCPU(b *testing.B, flops, cpuSeconds float64) {
	if cpuSeconds > 0 {
		b.ReportMetric(flops*float64(b.N)/cpuSeconds/1e9, "GFLOP/cpu-s")
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// setWorkers caps the goroutines per product and returns a func restoring
// the old cap.
func setWorkers(w int) func() {
	old := maxWorkers
	maxWorkers = w
	return func() { maxWorkers = old }
}

// BenchmarkDgemm compares Dgemm with gonum's Dgemm on three MLP shapes.
func BenchmarkDgemm(b *testing.B) {
	for _, sh := range benchShapes {
		switch sh.name {
		case "mlp32_fwd1_NN_32x128x784", "mlp32_dW1_TN_784x128x32", "square_NN_512x512x512":
		default:
			continue
		}
		rng := rand.New(rand.NewSource(1))
		ar, ac := sh.m, sh.k
		if sh.tA {
			ar, ac = sh.k, sh.m
		}
		br, bc := sh.k, sh.n
		if sh.tB {
			br, bc = sh.n, sh.k
		}
		a, bb, c := randSlice64(rng, ar*ac), randSlice64(rng, br*bc), make([]float64, sh.m*sh.n)
		flops := 2 * float64(sh.m) * float64(sh.n) * float64(sh.k)
		var cpu cpuTimer
		b.Run("shape="+sh.name+"/impl=gonum", func(b *testing.B) {
			ta, tb := blas.NoTrans, blas.NoTrans
			if sh.tA {
				ta = blas.Trans
			}
			if sh.tB {
				tb = blas.Trans
			}
			b.ResetTimer()
			cpu = startCPUTimer()
			for i := 0; i < b.N; i++ {
				gonum.Implementation{}.Dgemm(ta, tb, sh.m, sh.n, sh.k, 1, a, ac, bb, bc, 0, c, sh.n)
			}
			reportCPU(b, flops, cpu.stop())
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run("shape="+sh.name+"/impl=auto", func(b *testing.B) {
			b.ResetTimer()
			cpu = startCPUTimer()
			for i := 0; i < b.N; i++ {
				Dgemm(sh.tA, sh.tB, sh.m, sh.n, sh.k, 1, a, ac, bb, bc, 0, c, sh.n)
			}
			reportCPU(b, flops, cpu.stop())
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func randSlice64(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}
