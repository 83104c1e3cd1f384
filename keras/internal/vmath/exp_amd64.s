//go:build amd64 && !purego

#include "textflag.h"

// The constants of the runtime's math.Exp (src/math/exp_amd64.s), each
// repeated four times for 256-bit memory operands: log2(e), ln(2) split
// in an upper and a lower part, the argument reduction 1/16, and the
// Taylor coefficients 1/8! down to 1/2, 1 and 2.
DATA explog2e<>+0(SB)/8, $1.4426950408889634073599246810018920
DATA explog2e<>+8(SB)/8, $1.4426950408889634073599246810018920
DATA explog2e<>+16(SB)/8, $1.4426950408889634073599246810018920
DATA explog2e<>+24(SB)/8, $1.4426950408889634073599246810018920
GLOBL explog2e<>(SB), RODATA|NOPTR, $32
DATA expln2u<>+0(SB)/8, $0.69314718055966295651160180568695068359375
DATA expln2u<>+8(SB)/8, $0.69314718055966295651160180568695068359375
DATA expln2u<>+16(SB)/8, $0.69314718055966295651160180568695068359375
DATA expln2u<>+24(SB)/8, $0.69314718055966295651160180568695068359375
GLOBL expln2u<>(SB), RODATA|NOPTR, $32
DATA expln2l<>+0(SB)/8, $0.28235290563031577122588448175013436025525412068e-12
DATA expln2l<>+8(SB)/8, $0.28235290563031577122588448175013436025525412068e-12
DATA expln2l<>+16(SB)/8, $0.28235290563031577122588448175013436025525412068e-12
DATA expln2l<>+24(SB)/8, $0.28235290563031577122588448175013436025525412068e-12
GLOBL expln2l<>(SB), RODATA|NOPTR, $32
DATA expsixteenth<>+0(SB)/8, $0.0625
DATA expsixteenth<>+8(SB)/8, $0.0625
DATA expsixteenth<>+16(SB)/8, $0.0625
DATA expsixteenth<>+24(SB)/8, $0.0625
GLOBL expsixteenth<>(SB), RODATA|NOPTR, $32
DATA expc8<>+0(SB)/8, $2.4801587301587301587e-5
DATA expc8<>+8(SB)/8, $2.4801587301587301587e-5
DATA expc8<>+16(SB)/8, $2.4801587301587301587e-5
DATA expc8<>+24(SB)/8, $2.4801587301587301587e-5
GLOBL expc8<>(SB), RODATA|NOPTR, $32
DATA expc7<>+0(SB)/8, $1.9841269841269841270e-4
DATA expc7<>+8(SB)/8, $1.9841269841269841270e-4
DATA expc7<>+16(SB)/8, $1.9841269841269841270e-4
DATA expc7<>+24(SB)/8, $1.9841269841269841270e-4
GLOBL expc7<>(SB), RODATA|NOPTR, $32
DATA expc6<>+0(SB)/8, $1.3888888888888888889e-3
DATA expc6<>+8(SB)/8, $1.3888888888888888889e-3
DATA expc6<>+16(SB)/8, $1.3888888888888888889e-3
DATA expc6<>+24(SB)/8, $1.3888888888888888889e-3
GLOBL expc6<>(SB), RODATA|NOPTR, $32
DATA expc5<>+0(SB)/8, $8.3333333333333333333e-3
DATA expc5<>+8(SB)/8, $8.3333333333333333333e-3
DATA expc5<>+16(SB)/8, $8.3333333333333333333e-3
DATA expc5<>+24(SB)/8, $8.3333333333333333333e-3
GLOBL expc5<>(SB), RODATA|NOPTR, $32
DATA expc4<>+0(SB)/8, $4.1666666666666666667e-2
DATA expc4<>+8(SB)/8, $4.1666666666666666667e-2
DATA expc4<>+16(SB)/8, $4.1666666666666666667e-2
DATA expc4<>+24(SB)/8, $4.1666666666666666667e-2
GLOBL expc4<>(SB), RODATA|NOPTR, $32
DATA expc3<>+0(SB)/8, $1.6666666666666666667e-1
DATA expc3<>+8(SB)/8, $1.6666666666666666667e-1
DATA expc3<>+16(SB)/8, $1.6666666666666666667e-1
DATA expc3<>+24(SB)/8, $1.6666666666666666667e-1
GLOBL expc3<>(SB), RODATA|NOPTR, $32
DATA exphalf<>+0(SB)/8, $0.5
DATA exphalf<>+8(SB)/8, $0.5
DATA exphalf<>+16(SB)/8, $0.5
DATA exphalf<>+24(SB)/8, $0.5
GLOBL exphalf<>(SB), RODATA|NOPTR, $32
DATA expone<>+0(SB)/8, $1.0
DATA expone<>+8(SB)/8, $1.0
DATA expone<>+16(SB)/8, $1.0
DATA expone<>+24(SB)/8, $1.0
GLOBL expone<>(SB), RODATA|NOPTR, $32
DATA exptwo<>+0(SB)/8, $2.0
DATA exptwo<>+8(SB)/8, $2.0
DATA exptwo<>+16(SB)/8, $2.0
DATA exptwo<>+24(SB)/8, $2.0
GLOBL exptwo<>(SB), RODATA|NOPTR, $32

// The exponent bias and the largest biased exponent of a normal float64,
// as four int32 lanes, and zero.
DATA expbias<>+0(SB)/4, $1023
DATA expbias<>+4(SB)/4, $1023
DATA expbias<>+8(SB)/4, $1023
DATA expbias<>+12(SB)/4, $1023
GLOBL expbias<>(SB), RODATA|NOPTR, $16
DATA expmaxexp<>+0(SB)/4, $2046
DATA expmaxexp<>+4(SB)/4, $2046
DATA expmaxexp<>+8(SB)/4, $2046
DATA expmaxexp<>+12(SB)/4, $2046
GLOBL expmaxexp<>(SB), RODATA|NOPTR, $16
DATA expzero<>+0(SB)/4, $0
DATA expzero<>+4(SB)/4, $0
DATA expzero<>+8(SB)/4, $0
DATA expzero<>+12(SB)/4, $0
GLOBL expzero<>(SB), RODATA|NOPTR, $16

// func exp4AVX2(dst, src *float64, n int) int
//
// math.Exp of n values (a multiple of 16), sixteen a round in four
// interleaved groups of four (one group alone would wait on the latency
// of its chain of dependent operations). Each lane runs the exact
// sequence of operations of the runtime's FMA path:
//
//	k = round(log2(e)*x) (to nearest even, as CVTSD2SL)
//	r = (x - k*ln2u - k*ln2l) / 16 (fused multiply-subtracts)
//	u = r*(1 + r*(1/2 + r*(1/6 + ... + r/8!))) (fused multiply-adds)
//	u = (u+2)*u three times, then (u+2)*u + 1: e^r squared four times
//	result = u * 2^k, 2^k built from the biased exponent k+1023
//
// A lane whose biased exponent is not that of a normal float64 (NaN,
// infinities, arguments beyond about 709.78 or below about -708.7) would
// take one of math.Exp's special paths; the loop then stops before
// writing that round and returns its start, and the caller computes the
// round with math.Exp.
TEXT ·exp4AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	SHRQ $4, CX
	JZ exp_done
exp_loop:
	VPCMPEQD X14, X14, X14 // lanes with a normal result, all so far
	VMOVUPD 0(SI), Y0
	VMULPD explog2e<>(SB), Y0, Y1
	VCVTPD2DQY Y1, X2
	VCVTDQ2PD X2, Y1
	VFNMADD231PD expln2u<>(SB), Y1, Y0
	VFNMADD231PD expln2l<>(SB), Y1, Y0
	VMULPD expsixteenth<>(SB), Y0, Y0
	VMOVUPD expc8<>(SB), Y1
	VFMADD213PD expc7<>(SB), Y0, Y1
	VFMADD213PD expc6<>(SB), Y0, Y1
	VFMADD213PD expc5<>(SB), Y0, Y1
	VFMADD213PD expc4<>(SB), Y0, Y1
	VFMADD213PD expc3<>(SB), Y0, Y1
	VFMADD213PD exphalf<>(SB), Y0, Y1
	VFMADD213PD expone<>(SB), Y0, Y1
	VMULPD Y1, Y0, Y0
	VADDPD exptwo<>(SB), Y0, Y1
	VMULPD Y1, Y0, Y0
	VADDPD exptwo<>(SB), Y0, Y1
	VMULPD Y1, Y0, Y0
	VADDPD exptwo<>(SB), Y0, Y1
	VMULPD Y1, Y0, Y0
	VADDPD exptwo<>(SB), Y0, Y1
	VFMADD213PD expone<>(SB), Y1, Y0
	VPADDD expbias<>(SB), X2, X2
	VPCMPGTD expzero<>(SB), X2, X12
	VPCMPGTD expmaxexp<>(SB), X2, X13
	VPANDN X12, X13, X12
	VPAND X12, X14, X14
	VMOVUPD 32(SI), Y3
	VMULPD explog2e<>(SB), Y3, Y4
	VCVTPD2DQY Y4, X5
	VCVTDQ2PD X5, Y4
	VFNMADD231PD expln2u<>(SB), Y4, Y3
	VFNMADD231PD expln2l<>(SB), Y4, Y3
	VMULPD expsixteenth<>(SB), Y3, Y3
	VMOVUPD expc8<>(SB), Y4
	VFMADD213PD expc7<>(SB), Y3, Y4
	VFMADD213PD expc6<>(SB), Y3, Y4
	VFMADD213PD expc5<>(SB), Y3, Y4
	VFMADD213PD expc4<>(SB), Y3, Y4
	VFMADD213PD expc3<>(SB), Y3, Y4
	VFMADD213PD exphalf<>(SB), Y3, Y4
	VFMADD213PD expone<>(SB), Y3, Y4
	VMULPD Y4, Y3, Y3
	VADDPD exptwo<>(SB), Y3, Y4
	VMULPD Y4, Y3, Y3
	VADDPD exptwo<>(SB), Y3, Y4
	VMULPD Y4, Y3, Y3
	VADDPD exptwo<>(SB), Y3, Y4
	VMULPD Y4, Y3, Y3
	VADDPD exptwo<>(SB), Y3, Y4
	VFMADD213PD expone<>(SB), Y4, Y3
	VPADDD expbias<>(SB), X5, X5
	VPCMPGTD expzero<>(SB), X5, X12
	VPCMPGTD expmaxexp<>(SB), X5, X13
	VPANDN X12, X13, X12
	VPAND X12, X14, X14
	VMOVUPD 64(SI), Y6
	VMULPD explog2e<>(SB), Y6, Y7
	VCVTPD2DQY Y7, X8
	VCVTDQ2PD X8, Y7
	VFNMADD231PD expln2u<>(SB), Y7, Y6
	VFNMADD231PD expln2l<>(SB), Y7, Y6
	VMULPD expsixteenth<>(SB), Y6, Y6
	VMOVUPD expc8<>(SB), Y7
	VFMADD213PD expc7<>(SB), Y6, Y7
	VFMADD213PD expc6<>(SB), Y6, Y7
	VFMADD213PD expc5<>(SB), Y6, Y7
	VFMADD213PD expc4<>(SB), Y6, Y7
	VFMADD213PD expc3<>(SB), Y6, Y7
	VFMADD213PD exphalf<>(SB), Y6, Y7
	VFMADD213PD expone<>(SB), Y6, Y7
	VMULPD Y7, Y6, Y6
	VADDPD exptwo<>(SB), Y6, Y7
	VMULPD Y7, Y6, Y6
	VADDPD exptwo<>(SB), Y6, Y7
	VMULPD Y7, Y6, Y6
	VADDPD exptwo<>(SB), Y6, Y7
	VMULPD Y7, Y6, Y6
	VADDPD exptwo<>(SB), Y6, Y7
	VFMADD213PD expone<>(SB), Y7, Y6
	VPADDD expbias<>(SB), X8, X8
	VPCMPGTD expzero<>(SB), X8, X12
	VPCMPGTD expmaxexp<>(SB), X8, X13
	VPANDN X12, X13, X12
	VPAND X12, X14, X14
	VMOVUPD 96(SI), Y9
	VMULPD explog2e<>(SB), Y9, Y10
	VCVTPD2DQY Y10, X11
	VCVTDQ2PD X11, Y10
	VFNMADD231PD expln2u<>(SB), Y10, Y9
	VFNMADD231PD expln2l<>(SB), Y10, Y9
	VMULPD expsixteenth<>(SB), Y9, Y9
	VMOVUPD expc8<>(SB), Y10
	VFMADD213PD expc7<>(SB), Y9, Y10
	VFMADD213PD expc6<>(SB), Y9, Y10
	VFMADD213PD expc5<>(SB), Y9, Y10
	VFMADD213PD expc4<>(SB), Y9, Y10
	VFMADD213PD expc3<>(SB), Y9, Y10
	VFMADD213PD exphalf<>(SB), Y9, Y10
	VFMADD213PD expone<>(SB), Y9, Y10
	VMULPD Y10, Y9, Y9
	VADDPD exptwo<>(SB), Y9, Y10
	VMULPD Y10, Y9, Y9
	VADDPD exptwo<>(SB), Y9, Y10
	VMULPD Y10, Y9, Y9
	VADDPD exptwo<>(SB), Y9, Y10
	VMULPD Y10, Y9, Y9
	VADDPD exptwo<>(SB), Y9, Y10
	VFMADD213PD expone<>(SB), Y10, Y9
	VPADDD expbias<>(SB), X11, X11
	VPCMPGTD expzero<>(SB), X11, X12
	VPCMPGTD expmaxexp<>(SB), X11, X13
	VPANDN X12, X13, X12
	VPAND X12, X14, X14
	VMOVMSKPS X14, BX
	CMPL BX, $15
	JNE exp_done
	VPMOVZXDQ X2, Y2
	VPSLLQ $52, Y2, Y2
	VMULPD Y2, Y0, Y0
	VMOVUPD Y0, 0(DI)
	VPMOVZXDQ X5, Y5
	VPSLLQ $52, Y5, Y5
	VMULPD Y5, Y3, Y3
	VMOVUPD Y3, 32(DI)
	VPMOVZXDQ X8, Y8
	VPSLLQ $52, Y8, Y8
	VMULPD Y8, Y6, Y6
	VMOVUPD Y6, 64(DI)
	VPMOVZXDQ X11, Y11
	VPSLLQ $52, Y11, Y11
	VMULPD Y11, Y9, Y9
	VMOVUPD Y9, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $16, AX
	DECQ CX
	JNZ exp_loop
exp_done:
	MOVQ AX, ret+24(FP)
	VZEROUPPER
	RET
