package backend

// SetRNNWorkers fixes the goroutines a Recurrent op's run uses (0: the
// default rule) and returns a function restoring the previous setting.
// Benchmarks use it to measure one core against two, tests to run the
// split on small inputs.
func SetRNNWorkers(n int) (restore func()) {
	old := rnnWorkersSet
	rnnWorkersSet = n
	return func() { rnnWorkersSet = old }
}
