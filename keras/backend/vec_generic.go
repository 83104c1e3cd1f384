//go:build !amd64 || purego

package backend

var vecAVX = false

func relu32(dst, x []float32)        { relu(dst, x) }
func reluGrad32(dst, y, g []float32) { reluGrad(dst, y, g) }

func biasRows32(dst, x, b []float32, relu bool) { biasRows(dst, x, b, relu) }

func colSums32(dst, x []float32, rows, cols, lo, hi int) { colSums(dst, x, rows, cols, lo, hi) }
