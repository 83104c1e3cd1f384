//go:build amd64 && !purego

#include "textflag.h"

// Constants, 32 bytes each (eight copies), as laid out by actConsts.
#define C_EXPHI   0(R8)
#define C_EXPLO   32(R8)
#define C_LOG2E   64(R8)
#define C_MAGIC   96(R8)
#define C_LN2HI   128(R8)
#define C_LN2LO   160(R8)
#define C_E7      192(R8)
#define C_E6      224(R8)
#define C_E5      256(R8)
#define C_E4      288(R8)
#define C_E3      320(R8)
#define C_E2      352(R8)
#define C_ONE     384(R8)
#define C_BIAS    416(R8)
#define C_SIGLO   448(R8)
#define C_ABS     480(R8)
#define C_SIGN    512(R8)
#define C_QUARTER 544(R8)
#define C_NINE    576(R8)
#define C_TWO     608(R8)
#define C_T11     640(R8)
#define C_T9      672(R8)
#define C_T7      704(R8)
#define C_T5      736(R8)
#define C_T3      768(R8)

// EXP replaces Y1 by expf32(Y1), using Y2-Y5.
// The clamps keep a NaN (VMINPS/VMAXPS return their second source,
// here Y1, when either operand is NaN).
#define EXP \
	VMOVUPS    C_EXPHI, Y2 \
	VMINPS     Y1, Y2, Y1 \
	VMOVUPS    C_EXPLO, Y2 \
	VMAXPS     Y1, Y2, Y1 \
	VMULPS     C_LOG2E, Y1, Y2 \
	VADDPS     C_MAGIC, Y2, Y2 \
	VSUBPS     C_MAGIC, Y2, Y2 \
	VMULPS     C_LN2HI, Y2, Y3 \
	VSUBPS     Y3, Y1, Y3 \
	VMULPS     C_LN2LO, Y2, Y4 \
	VSUBPS     Y4, Y3, Y3 \
	VMOVUPS    C_E7, Y4 \
	VMULPS     Y3, Y4, Y4 \
	VADDPS     C_E6, Y4, Y4 \
	VMULPS     Y3, Y4, Y4 \
	VADDPS     C_E5, Y4, Y4 \
	VMULPS     Y3, Y4, Y4 \
	VADDPS     C_E4, Y4, Y4 \
	VMULPS     Y3, Y4, Y4 \
	VADDPS     C_E3, Y4, Y4 \
	VMULPS     Y3, Y4, Y4 \
	VADDPS     C_E2, Y4, Y4 \
	VMULPS     Y3, Y4, Y4 \
	VMULPS     Y3, Y4, Y4 \
	VADDPS     Y3, Y4, Y4 \
	VADDPS     C_ONE, Y4, Y4 \
	VCVTTPS2DQ Y2, Y5 \
	VPADDD     C_BIAS, Y5, Y5 \
	VPSLLD     $23, Y5, Y5 \
	VMULPS     Y5, Y4, Y1

// func sigmoidAVX2(v *float32, n int, c *[25][8]float32)
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-24
	MOVQ v+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ c+16(FP), R8
	SHRQ $3, CX
	JZ   sdone

sloop:
	VMOVUPS (DI), Y0
	VXORPS  C_SIGN, Y0, Y1     // -x
	EXP                        // e^-x
	VADDPS  C_ONE, Y1, Y1      // 1 + e^-x
	VMOVUPS C_ONE, Y6
	VDIVPS  Y1, Y6, Y1         // 1 / (1 + e^-x)
	VCMPPS  $1, C_SIGLO, Y0, Y7 // x < -88 (false for NaN)
	VANDNPS Y1, Y7, Y1         // flushed to 0 there
	VMOVUPS Y1, (DI)
	ADDQ    $32, DI
	DECQ    CX
	JNZ     sloop

sdone:
	VZEROUPPER
	RET

// func tanhAVX2(v *float32, n int, c *[25][8]float32)
TEXT ·tanhAVX2(SB), NOSPLIT, $0-24
	MOVQ v+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ c+16(FP), R8
	SHRQ $3, CX
	JZ   tdone

tloop:
	VMOVUPS (DI), Y0
	VANDPS  C_ABS, Y0, Y9      // a = |x|

	// |x| < 1/4: x + x*z*p(z), z = x*x
	VMULPS  Y0, Y0, Y10
	VMOVUPS C_T11, Y11
	VMULPS  Y10, Y11, Y11
	VADDPS  C_T9, Y11, Y11
	VMULPS  Y10, Y11, Y11
	VADDPS  C_T7, Y11, Y11
	VMULPS  Y10, Y11, Y11
	VADDPS  C_T5, Y11, Y11
	VMULPS  Y10, Y11, Y11
	VADDPS  C_T3, Y11, Y11
	VMULPS  Y10, Y0, Y12
	VMULPS  Y11, Y12, Y12
	VADDPS  Y12, Y0, Y12

	// otherwise 1 - 2/(e^{2a}+1), 1 from 9 on, with the sign of x
	VADDPS    Y9, Y9, Y1
	EXP
	VADDPS    C_ONE, Y1, Y1
	VMOVUPS   C_TWO, Y2
	VDIVPS    Y1, Y2, Y1
	VMOVUPS   C_ONE, Y2
	VSUBPS    Y1, Y2, Y1
	VCMPPS    $13, C_NINE, Y9, Y3 // a >= 9 (false for NaN)
	VBLENDVPS Y3, C_ONE, Y1, Y1
	VANDPS    C_SIGN, Y0, Y4
	VORPS     Y4, Y1, Y1

	VCMPPS    $1, C_QUARTER, Y9, Y5 // a < 1/4
	VBLENDVPS Y5, Y12, Y1, Y1
	VMOVUPS   Y1, (DI)
	ADDQ      $32, DI
	DECQ      CX
	JNZ       tloop

tdone:
	VZEROUPPER
	RET

// EXP16 replaces Z1 by expf32(Z1), sixteen lanes, using Z2-Z5; the same
// operations as EXP.
#define EXP16 \
	VBROADCASTSS C_EXPHI, Z2 \
	VMINPS       Z1, Z2, Z1 \
	VBROADCASTSS C_EXPLO, Z2 \
	VMAXPS       Z1, Z2, Z1 \
	VMULPS.BCST  C_LOG2E, Z1, Z2 \
	VADDPS.BCST  C_MAGIC, Z2, Z2 \
	VSUBPS.BCST  C_MAGIC, Z2, Z2 \
	VMULPS.BCST  C_LN2HI, Z2, Z3 \
	VSUBPS       Z3, Z1, Z3 \
	VMULPS.BCST  C_LN2LO, Z2, Z4 \
	VSUBPS       Z4, Z3, Z3 \
	VBROADCASTSS C_E7, Z4 \
	VMULPS       Z3, Z4, Z4 \
	VADDPS.BCST  C_E6, Z4, Z4 \
	VMULPS       Z3, Z4, Z4 \
	VADDPS.BCST  C_E5, Z4, Z4 \
	VMULPS       Z3, Z4, Z4 \
	VADDPS.BCST  C_E4, Z4, Z4 \
	VMULPS       Z3, Z4, Z4 \
	VADDPS.BCST  C_E3, Z4, Z4 \
	VMULPS       Z3, Z4, Z4 \
	VADDPS.BCST  C_E2, Z4, Z4 \
	VMULPS       Z3, Z4, Z4 \
	VMULPS       Z3, Z4, Z4 \
	VADDPS       Z3, Z4, Z4 \
	VADDPS.BCST  C_ONE, Z4, Z4 \
	VCVTTPS2DQ   Z2, Z5 \
	VPADDD.BCST  C_BIAS, Z5, Z5 \
	VPSLLD       $23, Z5, Z5 \
	VMULPS       Z5, Z4, Z1

// func sigmoidAVX512(v *float32, n int, c *[25][8]float32)
// n a multiple of 16.
TEXT ·sigmoidAVX512(SB), NOSPLIT, $0-24
	MOVQ v+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ c+16(FP), R8
	SHRQ $4, CX
	JZ   s5done

s5loop:
	VMOVUPS      (DI), Z0
	VPXORD.BCST  C_SIGN, Z0, Z1
	EXP16
	VADDPS.BCST  C_ONE, Z1, Z1
	VBROADCASTSS C_ONE, Z6
	VDIVPS       Z1, Z6, Z1
	VCMPPS.BCST  $5, C_SIGLO, Z0, K1 // not x < -88 (true for NaN): kept
	VMOVAPS.Z    Z1, K1, Z1
	VMOVUPS      Z1, (DI)
	ADDQ         $64, DI
	DECQ         CX
	JNZ          s5loop

s5done:
	VZEROUPPER
	RET

// func tanhAVX512(v *float32, n int, c *[25][8]float32)
// n a multiple of 16.
TEXT ·tanhAVX512(SB), NOSPLIT, $0-24
	MOVQ v+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ c+16(FP), R8
	SHRQ $4, CX
	JZ   t5done

t5loop:
	VMOVUPS      (DI), Z0
	VPANDD.BCST  C_ABS, Z0, Z9

	VMULPS       Z0, Z0, Z10
	VBROADCASTSS C_T11, Z11
	VMULPS       Z10, Z11, Z11
	VADDPS.BCST  C_T9, Z11, Z11
	VMULPS       Z10, Z11, Z11
	VADDPS.BCST  C_T7, Z11, Z11
	VMULPS       Z10, Z11, Z11
	VADDPS.BCST  C_T5, Z11, Z11
	VMULPS       Z10, Z11, Z11
	VADDPS.BCST  C_T3, Z11, Z11
	VMULPS       Z10, Z0, Z12
	VMULPS       Z11, Z12, Z12
	VADDPS       Z12, Z0, Z12

	VADDPS       Z9, Z9, Z1
	EXP16
	VADDPS.BCST  C_ONE, Z1, Z1
	VBROADCASTSS C_TWO, Z2
	VDIVPS       Z1, Z2, Z1
	VBROADCASTSS C_ONE, Z2
	VSUBPS       Z1, Z2, Z1
	VCMPPS.BCST  $13, C_NINE, Z9, K1 // a >= 9
	VBLENDMPS    Z2, Z1, K1, Z1
	VPANDD.BCST  C_SIGN, Z0, Z4
	VPORD        Z4, Z1, Z1

	VCMPPS.BCST  $1, C_QUARTER, Z9, K2 // a < 1/4
	VBLENDMPS    Z12, Z1, K2, Z1
	VMOVUPS      Z1, (DI)
	ADDQ         $64, DI
	DECQ         CX
	JNZ          t5loop

t5done:
	VZEROUPPER
	RET
