// This program must not compile: a convolution has a kernel size, not a
// pool size.
package main

import "github.com/gokeras/gokeras/keras/layers"

func main() {
	_ = layers.Conv2D(32, [2]int{3, 3}, layers.PoolSize(2))
}
