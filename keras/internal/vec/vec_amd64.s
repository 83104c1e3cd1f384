//go:build amd64 && !purego

#include "textflag.h"

DATA expMask32<>+0(SB)/4, $0x7f800000
GLOBL expMask32<>(SB), RODATA|NOPTR, $4
DATA absMask64<>+0(SB)/8, $0x7fffffffffffffff
GLOBL absMask64<>(SB), RODATA|NOPTR, $8

// func finite32AVX(x *float32, n int) bool
//
// Reports whether none of n float32 values (n a multiple of 32) is NaN or
// infinite: its exponent bits are all ones. Logic and compares only, so
// denormals cost nothing extra.
TEXT ·finite32AVX(SB), NOSPLIT, $0-17
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS expMask32<>(SB), Y15
	VXORPS Y14, Y14, Y14
	SHRQ $5, CX
	JZ f32_done
f32_loop:
	VANDPS (SI), Y15, Y0
	VANDPS 32(SI), Y15, Y1
	VANDPS 64(SI), Y15, Y2
	VANDPS 96(SI), Y15, Y3
	VCMPPS $0, Y15, Y0, Y0 // exponent all ones
	VCMPPS $0, Y15, Y1, Y1
	VCMPPS $0, Y15, Y2, Y2
	VCMPPS $0, Y15, Y3, Y3
	VORPS Y1, Y0, Y0
	VORPS Y3, Y2, Y2
	VORPS Y2, Y0, Y0
	VORPS Y0, Y14, Y14
	ADDQ $128, SI
	DECQ CX
	JNZ f32_loop
f32_done:
	VMOVMSKPS Y14, AX
	TESTL AX, AX
	SETEQ ret+16(FP)
	VZEROUPPER
	RET

// func copyFinite32AVX(dst, src *float32, n int) bool
//
// Copies n float32 values (a multiple of 32) and reports whether none was
// NaN or infinite.
TEXT ·copyFinite32AVX(SB), NOSPLIT, $0-25
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS expMask32<>(SB), Y15
	VXORPS Y14, Y14, Y14
	SHRQ $5, CX
	JZ c32_done
c32_loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VANDPS Y0, Y15, Y0
	VANDPS Y1, Y15, Y1
	VANDPS Y2, Y15, Y2
	VANDPS Y3, Y15, Y3
	VCMPPS $0, Y15, Y0, Y0
	VCMPPS $0, Y15, Y1, Y1
	VCMPPS $0, Y15, Y2, Y2
	VCMPPS $0, Y15, Y3, Y3
	VORPS Y1, Y0, Y0
	VORPS Y3, Y2, Y2
	VORPS Y2, Y0, Y0
	VORPS Y0, Y14, Y14
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ c32_loop
c32_done:
	VMOVMSKPS Y14, AX
	TESTL AX, AX
	SETEQ ret+24(FP)
	VZEROUPPER
	RET

// func within64AVX(x *float64, n int, limit float64) bool
//
// Reports whether every one of n float64 values (a multiple of 16) has a
// magnitude <= limit (NaN never has).
TEXT ·within64AVX(SB), NOSPLIT, $0-25
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSD absMask64<>(SB), Y15
	VBROADCASTSD limit+16(FP), Y13
	VXORPD Y14, Y14, Y14
	SHRQ $4, CX
	JZ w64_done
w64_loop:
	VANDPD (SI), Y15, Y0
	VANDPD 32(SI), Y15, Y1
	VANDPD 64(SI), Y15, Y2
	VANDPD 96(SI), Y15, Y3
	VCMPPD $0x16, Y13, Y0, Y0 // not (|x| <= limit), NaN included
	VCMPPD $0x16, Y13, Y1, Y1
	VCMPPD $0x16, Y13, Y2, Y2
	VCMPPD $0x16, Y13, Y3, Y3
	VORPD Y1, Y0, Y0
	VORPD Y3, Y2, Y2
	VORPD Y2, Y0, Y0
	VORPD Y0, Y14, Y14
	ADDQ $128, SI
	DECQ CX
	JNZ w64_loop
w64_done:
	VMOVMSKPD Y14, AX
	TESTL AX, AX
	SETEQ ret+24(FP)
	VZEROUPPER
	RET

// func copyWithin64AVX(dst, src *float64, n int, limit float64) bool
//
// Copies n float64 values (a multiple of 16) and reports whether every
// magnitude was <= limit.
TEXT ·copyWithin64AVX(SB), NOSPLIT, $0-33
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD absMask64<>(SB), Y15
	VBROADCASTSD limit+24(FP), Y13
	VXORPD Y14, Y14, Y14
	SHRQ $4, CX
	JZ cw64_done
cw64_loop:
	VMOVUPD (SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 64(SI), Y2
	VMOVUPD 96(SI), Y3
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VANDPD Y0, Y15, Y0
	VANDPD Y1, Y15, Y1
	VANDPD Y2, Y15, Y2
	VANDPD Y3, Y15, Y3
	VCMPPD $0x16, Y13, Y0, Y0
	VCMPPD $0x16, Y13, Y1, Y1
	VCMPPD $0x16, Y13, Y2, Y2
	VCMPPD $0x16, Y13, Y3, Y3
	VORPD Y1, Y0, Y0
	VORPD Y3, Y2, Y2
	VORPD Y2, Y0, Y0
	VORPD Y0, Y14, Y14
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ cw64_loop
cw64_done:
	VMOVMSKPD Y14, AX
	TESTL AX, AX
	SETEQ ret+32(FP)
	VZEROUPPER
	RET

// func narrow64AVX(dst *float32, src *float64, n int, limit float64) bool
//
// Writes float32(src[i]) for n values (a multiple of 16), rounding to
// nearest even as Go's conversion does, and reports whether every
// magnitude was <= limit.
TEXT ·narrow64AVX(SB), NOSPLIT, $0-33
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD absMask64<>(SB), Y15
	VBROADCASTSD limit+24(FP), Y13
	VXORPD Y14, Y14, Y14
	SHRQ $4, CX
	JZ n64_done
n64_loop:
	VMOVUPD (SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 64(SI), Y2
	VMOVUPD 96(SI), Y3
	VCVTPD2PSY Y0, X4
	VCVTPD2PSY Y1, X5
	VCVTPD2PSY Y2, X6
	VCVTPD2PSY Y3, X7
	VMOVUPS X4, (DI)
	VMOVUPS X5, 16(DI)
	VMOVUPS X6, 32(DI)
	VMOVUPS X7, 48(DI)
	VANDPD Y0, Y15, Y0
	VANDPD Y1, Y15, Y1
	VANDPD Y2, Y15, Y2
	VANDPD Y3, Y15, Y3
	VCMPPD $0x16, Y13, Y0, Y0
	VCMPPD $0x16, Y13, Y1, Y1
	VCMPPD $0x16, Y13, Y2, Y2
	VCMPPD $0x16, Y13, Y3, Y3
	VORPD Y1, Y0, Y0
	VORPD Y3, Y2, Y2
	VORPD Y2, Y0, Y0
	VORPD Y0, Y14, Y14
	ADDQ $128, SI
	ADDQ $64, DI
	DECQ CX
	JNZ n64_loop
n64_done:
	VMOVMSKPD Y14, AX
	TESTL AX, AX
	SETEQ ret+32(FP)
	VZEROUPPER
	RET

// func uint8To32AVX2(dst *float32, src *uint8, n int)
//
// Writes float32(src[i]) for n bytes (a multiple of 32).
TEXT ·uint8To32AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $5, CX
	JZ u8_done
u8_loop:
	VPMOVZXBD (SI), Y0
	VPMOVZXBD 8(SI), Y1
	VPMOVZXBD 16(SI), Y2
	VPMOVZXBD 24(SI), Y3
	VCVTDQ2PS Y0, Y0
	VCVTDQ2PS Y1, Y1
	VCVTDQ2PS Y2, Y2
	VCVTDQ2PS Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $32, SI
	ADDQ $128, DI
	DECQ CX
	JNZ u8_loop
u8_done:
	VZEROUPPER
	RET

// func prefetch(p unsafe.Pointer, n int)
//
// One PREFETCHT0 per 64-byte line of the n bytes (n > 0) at p, from the
// line holding p to the line holding its last byte.
TEXT ·prefetch(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	LEAQ -1(SI)(CX*1), CX // the last byte
	ANDQ $~63, SI
pf_loop:
	PREFETCHT0 (SI)
	ADDQ $64, SI
	CMPQ SI, CX
	JLS pf_loop
	RET
