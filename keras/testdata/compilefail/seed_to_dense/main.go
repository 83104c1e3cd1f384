// This program must not compile: Dense draws no random numbers while
// training, so it takes no Seed.
package main

import "github.com/gokeras/gokeras/keras/layers"

func main() {
	_ = layers.Dense(3, layers.Seed(1))
}
