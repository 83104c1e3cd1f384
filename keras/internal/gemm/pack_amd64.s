//go:build !purego

#include "textflag.h"

// func copyRowsAVX(dst, src unsafe.Pointer, ld, rows, width int)
//
// Copies rows blocks of width bytes (64 or 128): block i from src + i*ld
// to dst + i*width, in 32-byte moves.
TEXT ·copyRowsAVX(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), DX
	MOVQ rows+24(FP), CX
	MOVQ width+32(FP), BX
	TESTQ CX, CX
	JZ rows_done
	CMPQ BX, $128
	JNE rows64
rows128:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ DX, SI
	ADDQ $128, DI
	DECQ CX
	JNZ rows128
	JMP rows_done
rows64:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ DX, SI
	ADDQ $64, DI
	DECQ CX
	JNZ rows64
rows_done:
	VZEROUPPER
	RET
