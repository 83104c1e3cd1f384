// This program must not compile: DepthwiseConv2D has one group per
// channel by definition; Keras's DepthwiseConv2D takes no groups.
package main

import "github.com/gokeras/gokeras/keras/layers"

func main() {
	_ = layers.DepthwiseConv2D([2]int{3, 3}, layers.Groups(2))
}
