// This program must not compile: compilecheck's own test checks that Run
// finds both marked errors and nothing else.
package main

type sgdOption interface{ applySGD() }

type beta1 float64

func (beta1) applyAdam() {}

func sgd(...sgdOption) {}

func main() {
	sgd(beta1(0.9)) // ERROR "beta1 does not implement sgdOption (missing method applySGD)"
	var n int = "x" // ERROR "cannot use \"x\""
	_ = n
}
