// This program must not compile: each line marked ERROR passes a loader
// an option it does not take, and TestOptionsCompileChecked checks that
// the compiler says so. The unmarked lines are valid uses and must
// compile.
package main

import (
	"context"

	"github.com/gokeras/gokeras/keras/datasets"
)

func main() {
	ctx := context.Background()
	_, _, _ = datasets.MNIST(ctx, datasets.Dir("/tmp"), datasets.Download(false), datasets.Progress(nil))
	_, _, _ = datasets.BostonHousing(ctx, datasets.TestSplit(0.2), datasets.Seed(113), datasets.Download(false))
	_, _, _ = datasets.IMDB(ctx, datasets.NumWords(10000), datasets.Seed(1), datasets.MaxLen(100))
	_, _, _ = datasets.Reuters(ctx, datasets.TestSplit(0.2), datasets.SkipTop(10))

	_, _, _ = datasets.MNIST(ctx, datasets.NumWords(10))          // ERROR "datasets.SequenceOption does not implement datasets.MNISTOption"
	_, _, _ = datasets.CIFAR10(ctx, datasets.Seed(1))             // ERROR "datasets.SeedOption does not implement datasets.CIFAR10Option"
	_, _, _ = datasets.IMDB(ctx, datasets.TestSplit(0.1))         // ERROR "datasets.TestSplitOption does not implement datasets.IMDBOption"
	_, _, _ = datasets.BostonHousing(ctx, datasets.MaxLen(5))     // ERROR "datasets.SequenceOption does not implement datasets.BostonHousingOption"
	_, _, _ = datasets.FashionMNIST(ctx, datasets.TestSplit(0.5)) // ERROR "datasets.TestSplitOption does not implement datasets.FashionMNISTOption"
}
