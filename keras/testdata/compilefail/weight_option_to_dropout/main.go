// This program must not compile: Dropout has no kernel to regularise.
package main

import "github.com/gokeras/gokeras/keras/layers"

func main() {
	_ = layers.Dropout(0.5, layers.KernelRegularizer("l2"))
}
