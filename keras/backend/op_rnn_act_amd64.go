//go:build amd64 && !purego

package backend

import "golang.org/x/sys/cpu"

// useAVX2Act and useAVX512Act select the AVX2 and AVX-512 kernels for
// float32 sigmoid and tanh (set from CPU feature detection; tests turn
// them off to compare the kernels with the portable code).
var (
	useAVX2Act   = cpu.X86.HasAVX2
	useAVX512Act = cpu.X86.HasAVX512F

	detectedAVX2Act   = useAVX2Act
	detectedAVX512Act = useAVX512Act
)

// sigmoidAVX2 and tanhAVX2 apply sigmoid32 / tanh32 in place to n floats
// (n a multiple of 8), eight at a time, with the same operations in the
// same order as the Go code, so the bits are the same.
//
//go:noescape
func sigmoidAVX2(v *float32, n int, c *[25][8]float32)

//go:noescape
func tanhAVX2(v *float32, n int, c *[25][8]float32)

// sigmoidAVX512 and tanhAVX512 are the same sixteen at a time (n a
// multiple of 16).
//
//go:noescape
func sigmoidAVX512(v *float32, n int, c *[25][8]float32)

//go:noescape
func tanhAVX512(v *float32, n int, c *[25][8]float32)

func sigmoidSlice32(v []float32) {
	head := 0
	switch {
	case useAVX512Act:
		if head = len(v) &^ 15; head > 0 {
			sigmoidAVX512(&v[0], head, &actConsts)
		}
	case useAVX2Act:
		if head = len(v) &^ 7; head > 0 {
			sigmoidAVX2(&v[0], head, &actConsts)
		}
	}
	sigmoidScalar(v[head:])
}

func tanhSlice32(v []float32) {
	head := 0
	switch {
	case useAVX512Act:
		if head = len(v) &^ 15; head > 0 {
			tanhAVX512(&v[0], head, &actConsts)
		}
	case useAVX2Act:
		if head = len(v) &^ 7; head > 0 {
			tanhAVX2(&v[0], head, &actConsts)
		}
	}
	tanhScalar(v[head:])
}

// lstmBackAVX2 and gruBackAVX2 run lstmBackLoop / gruBackLoop over
// elements [0, n) (n a multiple of 8) of one row, eight at a time; u is
// the row's number of units (the offset between gate blocks).
//
//go:noescape
func lstmBackAVX2(z, dz, actc, cprev, dh, dc *float32, n, u int)

//go:noescape
func gruBackAVX2(z, dz, dq, dh, dhd, hprev, qh *float32, n, u int)

// lstmBackHead32 runs the kernel over the first u&^7 elements of a row
// (when the CPU has AVX2) and returns how many it did.
func lstmBackHead32(z, dz, actc, cprev, dh, dc []float32, u int) int {
	n := u &^ 7
	if !useAVX2Act || n == 0 {
		return 0
	}
	_, _, _, _, _, _ = z[4*u-1], dz[4*u-1], actc[u-1], cprev[u-1], dh[u-1], dc[u-1]
	lstmBackAVX2(&z[0], &dz[0], &actc[0], &cprev[0], &dh[0], &dc[0], n, u)
	return n
}

// gruBackHead32 is the same for gruBackLoop.
func gruBackHead32(z, dz, dq, dh, dhd, hprev, qh []float32, u int) int {
	n := u &^ 7
	if !useAVX2Act || n == 0 {
		return 0
	}
	_, _, _, _, _, _, _ = z[3*u-1], dz[3*u-1], dq[3*u-1], dh[u-1], dhd[u-1], hprev[u-1], qh[u-1]
	gruBackAVX2(&z[0], &dz[0], &dq[0], &dh[0], &dhd[0], &hprev[0], &qh[0], n, u)
	return n
}
