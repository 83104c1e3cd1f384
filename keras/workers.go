package keras

import "github.com/gokeras/gokeras/keras/backend"

// SetMaxWorkers caps the goroutines that one operation may use (a matrix
// product, an element-wise op over a large tensor, an optimizer step, the
// batches of one Predict call). SetMaxWorkers(1) keeps gokeras on one
// core; 0 restores the default of two (never more than GOMAXPROCS). Work
// is split only above sizes where a split was measured to pay, and
// results are the same whatever the setting. The environment variable
// GOKERAS_MAX_WORKERS sets it at start-up. See backend.SetMaxWorkers.
func SetMaxWorkers(n int) { backend.SetMaxWorkers(n) }

// MaxWorkers returns how many goroutines one operation may use now.
func MaxWorkers() int { return backend.MaxWorkers() }
