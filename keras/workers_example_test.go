package keras_test

import (
	"fmt"

	"github.com/gokeras/gokeras/keras"
)

// Keep every operation on the calling goroutine (one core), for example
// in a server that runs one model per core.
func ExampleSetMaxWorkers() {
	keras.SetMaxWorkers(1)
	defer keras.SetMaxWorkers(0) // back to the default
	fmt.Println(keras.MaxWorkers())
	// Output: 1
}
