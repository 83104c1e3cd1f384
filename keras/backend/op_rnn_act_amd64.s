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

// func lstmBackAVX2(z, dz, actc, cprev, dh, dc *float32, n, u int)
//
// Per element, with i, f, g, o at z, z+u, z+2u, z+3u and dz laid out the
// same (lstmBackLoop):
//	d  = dc + (dh*o)*(1 - ac*ac)
//	do = (dh*ac) * (o*(1-o));  di = (d*g) * (i*(1-i))
//	dg = (d*i) * (1 - g*g);    df = (d*cprev) * (f*(1-f));  dc = d*f
TEXT ·lstmBackAVX2(SB), NOSPLIT, $0-64
	MOVQ z+0(FP), SI
	MOVQ dz+8(FP), DI
	MOVQ actc+16(FP), R8
	MOVQ cprev+24(FP), R9
	MOVQ dh+32(FP), R10
	MOVQ dc+40(FP), R11
	MOVQ n+48(FP), CX
	MOVQ u+56(FP), DX
	SHLQ $2, DX                 // gate block offset in bytes
	LEAQ (DX)(DX*2), R12        // 3u
	MOVL $0x3f800000, AX        // 1.0
	MOVL AX, X15
	VBROADCASTSS X15, Y15
	SHRQ $3, CX
	JZ   lbdone

lbloop:
	VMOVUPS (R10), Y0           // dh
	VMOVUPS (SI), Y1            // i
	VMOVUPS (SI)(DX*1), Y2      // f
	VMOVUPS (SI)(DX*2), Y3      // g
	VMOVUPS (SI)(R12*1), Y4     // o
	VMOVUPS (R8), Y5            // ac
	VMOVUPS (R11), Y6           // dc
	VMOVUPS (R9), Y7            // cprev

	VMULPS Y5, Y5, Y8           // ac*ac
	VSUBPS Y8, Y15, Y8          // 1 - ac*ac
	VMULPS Y4, Y0, Y9           // dh*o
	VMULPS Y8, Y9, Y9
	VADDPS Y9, Y6, Y6           // d

	VMULPS Y5, Y0, Y10          // dh*ac
	VSUBPS Y4, Y15, Y11         // 1-o
	VMULPS Y11, Y4, Y11         // o*(1-o)
	VMULPS Y11, Y10, Y10        // do

	VMULPS Y3, Y6, Y12          // d*g
	VSUBPS Y1, Y15, Y13         // 1-i
	VMULPS Y13, Y1, Y13         // i*(1-i)
	VMULPS Y13, Y12, Y12        // di

	VMULPS Y1, Y6, Y13          // d*i
	VMULPS Y3, Y3, Y14          // g*g
	VSUBPS Y14, Y15, Y14        // 1 - g*g
	VMULPS Y14, Y13, Y13        // dg

	VMULPS Y7, Y6, Y14          // d*cprev
	VSUBPS Y2, Y15, Y8          // 1-f
	VMULPS Y8, Y2, Y8           // f*(1-f)
	VMULPS Y8, Y14, Y14         // df

	VMULPS Y2, Y6, Y6           // dc = d*f

	VMOVUPS Y12, (DI)
	VMOVUPS Y14, (DI)(DX*1)
	VMOVUPS Y13, (DI)(DX*2)
	VMOVUPS Y10, (DI)(R12*1)
	VMOVUPS Y6, (R11)

	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $32, R11
	DECQ CX
	JNZ  lbloop

lbdone:
	VZEROUPPER
	RET

// func gruBackAVX2(z, dz, dq, dh, dhd, hprev, qh *float32, n, u int)
//
// Per element, with z, r, hh at z, z+u, z+2u (gruBackLoop):
//	a   = (d*(1-z)) * (1 - hh*hh)
//	dz  = (d*(hprev-hh)) * (z*(1-z));  dr = (a*qh) * (r*(1-r))
//	dz/dr/dhh = dz, dr, a;  dq = dz, dr, a*r;  dhd = d*z
TEXT ·gruBackAVX2(SB), NOSPLIT, $0-72
	MOVQ z+0(FP), SI
	MOVQ dz+8(FP), DI
	MOVQ dq+16(FP), R13
	MOVQ dh+24(FP), R10
	MOVQ dhd+32(FP), R11
	MOVQ hprev+40(FP), R8
	MOVQ qh+48(FP), R9
	MOVQ n+56(FP), CX
	MOVQ u+64(FP), DX
	SHLQ $2, DX
	MOVL $0x3f800000, AX
	MOVL AX, X15
	VBROADCASTSS X15, Y15
	SHRQ $3, CX
	JZ   gbdone

gbloop:
	VMOVUPS (R10), Y0           // d
	VMOVUPS (SI), Y1            // z
	VMOVUPS (SI)(DX*1), Y2      // r
	VMOVUPS (SI)(DX*2), Y3      // hh

	VSUBPS Y1, Y15, Y4          // 1-z
	VMULPS Y4, Y0, Y5           // d*(1-z)
	VMULPS Y3, Y3, Y6           // hh*hh
	VSUBPS Y6, Y15, Y6          // 1 - hh*hh
	VMULPS Y6, Y5, Y5           // a

	VMOVUPS (R8), Y7            // hprev
	VSUBPS Y3, Y7, Y7           // hprev - hh
	VMULPS Y7, Y0, Y7           // d*(hprev-hh)
	VMULPS Y4, Y1, Y8           // z*(1-z)
	VMULPS Y8, Y7, Y7           // dz

	VMOVUPS (R9), Y9            // qh
	VMULPS Y9, Y5, Y9           // a*qh
	VSUBPS Y2, Y15, Y10         // 1-r
	VMULPS Y10, Y2, Y10         // r*(1-r)
	VMULPS Y10, Y9, Y9          // dr

	VMULPS Y2, Y5, Y11          // a*r
	VMULPS Y1, Y0, Y12          // dhd = d*z

	VMOVUPS Y7, (DI)
	VMOVUPS Y9, (DI)(DX*1)
	VMOVUPS Y5, (DI)(DX*2)
	VMOVUPS Y7, (R13)
	VMOVUPS Y9, (R13)(DX*1)
	VMOVUPS Y11, (R13)(DX*2)
	VMOVUPS Y12, (R11)

	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R13
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNZ  gbloop

gbdone:
	VZEROUPPER
	RET
