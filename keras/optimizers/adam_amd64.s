//go:build amd64 && !purego

#include "textflag.h"

// func adamAVX(wp, gp, mp, vp *float32, n int, c1, c2, a, eps float32)
//
// For each i: m += (g-m)*c1; v += (g*g-v)*c2; w -= a*m/(sqrt(v)+eps),
// eight lanes per iteration; n must be a multiple of 8.
TEXT ·adamAVX(SB), NOSPLIT, $0-56
	MOVQ wp+0(FP), DI
	MOVQ gp+8(FP), SI
	MOVQ mp+16(FP), DX
	MOVQ vp+24(FP), R8
	MOVQ n+32(FP), CX
	VBROADCASTSS c1+40(FP), Y8
	VBROADCASTSS c2+44(FP), Y9
	VBROADCASTSS a+48(FP), Y10
	VBROADCASTSS eps+52(FP), Y11
	SHRQ $3, CX
	JZ done

loop:
	VMOVUPS (SI), Y0       // g
	VMOVUPS (DX), Y1       // m
	VSUBPS  Y1, Y0, Y2     // g - m
	VMULPS  Y8, Y2, Y2     // (g - m)*c1
	VADDPS  Y2, Y1, Y1     // m + (g - m)*c1
	VMOVUPS Y1, (DX)
	VMOVUPS (R8), Y3       // v
	VMULPS  Y0, Y0, Y4     // g*g
	VSUBPS  Y3, Y4, Y4     // g*g - v
	VMULPS  Y9, Y4, Y4     // (g*g - v)*c2
	VADDPS  Y4, Y3, Y3     // v + (g*g - v)*c2
	VMOVUPS Y3, (R8)
	VSQRTPS Y3, Y5         // sqrt(v)
	VADDPS  Y11, Y5, Y5    // sqrt(v) + eps
	VMULPS  Y1, Y10, Y6    // a*m
	VDIVPS  Y5, Y6, Y6     // a*m / (sqrt(v) + eps)
	VMOVUPS (DI), Y7
	VSUBPS  Y6, Y7, Y7     // w - a*m/(sqrt(v) + eps)
	VMOVUPS Y7, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R8
	ADDQ    $32, DI
	DECQ    CX
	JNZ     loop

done:
	VZEROUPPER
	RET
