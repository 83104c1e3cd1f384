// This program must not compile: CSVLogger watches no quantity, so it
// takes no Patience.
package main

import "github.com/gokeras/gokeras/keras/callbacks"

func main() {
	_ = callbacks.CSVLogger("log.csv", callbacks.Patience(3))
}
