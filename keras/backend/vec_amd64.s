//go:build amd64 && !purego

#include "textflag.h"

// func reluAVX(dst, x *float32, n int)
//
// dst[i] = max(x[i], 0) for n elements, n a multiple of 8. VMAXPS returns
// its second operand (0) for NaN and for either zero, as the Go loop
// (x > 0 ? x : 0) does.
TEXT ·reluAVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VXORPS Y15, Y15, Y15
	SHRQ $3, CX
	JZ relu_done
relu_loop:
	VMOVUPS (SI), Y0
	VMAXPS Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ relu_loop
relu_done:
	VZEROUPPER
	RET

// func reluGradAVX(dst, y, gp *float32, n int)
//
// dst[i] = g[i] where y[i] > 0, else 0, for n elements (a multiple of 8).
TEXT ·reluGradAVX(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ gp+16(FP), DX
	MOVQ n+24(FP), CX
	VXORPS Y15, Y15, Y15
	SHRQ $3, CX
	JZ grad_done
grad_loop:
	VMOVUPS (SI), Y0
	VCMPPS $0x1e, Y15, Y0, Y0 // y > 0 (ordered)
	VANDPS (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ grad_loop
grad_done:
	VZEROUPPER
	RET

// func biasRowsAVX(dst, x, b *float32, rows, cols, head int, relu bool)
//
// For each of rows rows of cols elements: dst[j] = x[j] + b[j] for the
// first head columns (a multiple of 8), then max(., 0) when relu is set.
TEXT ·biasRowsAVX(SB), NOSPLIT, $0-49
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ rows+24(FP), R8
	MOVQ cols+32(FP), R9
	MOVQ head+40(FP), R10
	MOVBLZX relu+48(FP), R11
	VXORPS Y15, Y15, Y15
	SHLQ $2, R9
	SHRQ $3, R10
	JZ bias_done
	TESTQ R8, R8
	JZ bias_done
bias_row:
	MOVQ R10, CX
	MOVQ SI, R12
	MOVQ DI, R13
	MOVQ DX, BX
	TESTQ R11, R11
	JNZ bias_relu
bias_col:
	VMOVUPS (R12), Y0
	VADDPS (BX), Y0, Y0
	VMOVUPS Y0, (R13)
	ADDQ $32, R12
	ADDQ $32, R13
	ADDQ $32, BX
	DECQ CX
	JNZ bias_col
	JMP bias_next
bias_relu:
	VMOVUPS (R12), Y0
	VADDPS (BX), Y0, Y0
	VMAXPS Y15, Y0, Y0
	VMOVUPS Y0, (R13)
	ADDQ $32, R12
	ADDQ $32, R13
	ADDQ $32, BX
	DECQ CX
	JNZ bias_relu
bias_next:
	ADDQ R9, SI
	ADDQ R9, DI
	DECQ R8
	JNZ bias_row
bias_done:
	VZEROUPPER
	RET

// func colSumAVX(dst, x *float32, rows, cols, head int)
//
// dst[j] = x[j] + x[cols+j] + ... + x[(rows-1)*cols+j], summed from 0 in
// row order, for the first head columns (a multiple of 8).
TEXT ·colSumAVX(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ rows+16(FP), R8
	MOVQ cols+24(FP), R9
	MOVQ head+32(FP), R10
	SHLQ $2, R9
	SHRQ $3, R10
	JZ sum_done
sum_block:
	VXORPS Y0, Y0, Y0
	MOVQ SI, R12
	MOVQ R8, CX
	TESTQ CX, CX
	JZ sum_store
sum_row:
	VADDPS (R12), Y0, Y0
	ADDQ R9, R12
	DECQ CX
	JNZ sum_row
sum_store:
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ R10
	JNZ sum_block
sum_done:
	VZEROUPPER
	RET
