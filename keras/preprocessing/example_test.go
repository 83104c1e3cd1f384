package preprocessing_test

import (
	"fmt"
	"strings"

	"github.com/gokeras/gokeras/keras/preprocessing"
	"gorgonia.org/tensor"
)

// The Boston housing recipe: standardise the train features with their own
// mean and n-1 standard deviation, and the test features with the same.
func ExampleStandardize() {
	train := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{1, 100, 2, 200, 3, 300, 4, 400}))
	test := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{2.5, 500}))

	trainScaled, scaler, err := preprocessing.Standardize(train)
	if err != nil {
		panic(err)
	}
	testScaled, err := scaler.Transform(test)
	if err != nil {
		panic(err)
	}
	fmt.Printf("mean %.1f sd %.4f\n", scaler.Mean, scaler.Scale)
	fmt.Printf("train %.4f\n", trainScaled.Data())
	fmt.Printf("test %.4f\n", testScaled.Data())
	// Output:
	// mean [2.5 250.0] sd [1.2910 129.0994]
	// train [-1.1619 -1.1619 -0.3873 -0.3873 0.3873 0.3873 1.1619 1.1619]
	// test [0.0000 1.9365]
}

func ExampleFitStandard() {
	x := tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float64{1, 2, 6}))
	s, _ := preprocessing.FitStandard(x, preprocessing.DDOF(0)) // scikit-learn's divisor N
	fmt.Printf("mean %.0f sd %.4f ddof %d\n", s.Mean, s.Scale, s.DDOF)
	back, _ := s.InverseTransform(tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{1})))
	fmt.Printf("one sd above the mean: %.4f\n", back.Data())
	// Output:
	// mean [3] sd [2.1602] ddof 0
	// one sd above the mean: [5.1602]
}

func ExampleMinMax() {
	x := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{0, 10, 5, 20, 10, 30}))
	scaled, s, _ := preprocessing.MinMax(x, preprocessing.FeatureRange(-1, 1))
	fmt.Println(scaled.Data(), s.Min, s.Max)
	// Output: [-1 -1 0 0 1 1] [0 10] [10 30]
}

func ExampleFitMinMax() {
	train := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{10, 20}))
	s, _ := preprocessing.FitMinMax(train)
	out, _ := s.Transform(tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{15, 30})))
	fmt.Println(out.Data())
	// Output: [0.5 2]
}

// Fashion-MNIST pixels are uint8 0-255; the tutorial divides them by 255.
func ExampleRescale() {
	pixels := tensor.New(tensor.WithShape(1, 2, 2), tensor.WithBacking([]uint8{0, 51, 204, 255}))
	x, _ := preprocessing.Rescale(pixels, 1.0/255)
	fmt.Println(x.Dtype(), x.Shape(), x.Data())
	// Output: float32 (1, 2, 2) [0 0.2 0.8 1]
}

func ExampleToCategorical() {
	y := tensor.New(tensor.WithShape(3), tensor.WithBacking([]uint8{0, 2, 1}))
	onehot, _ := preprocessing.ToCategorical(y)
	fmt.Println(onehot.Shape(), onehot.Data())
	ten, _ := preprocessing.ToCategorical(y, preprocessing.NumClasses(10))
	fmt.Println(ten.Shape())
	// Output:
	// (3, 3) [1 0 0 0 0 1 0 1 0]
	// (3, 10)
}

func ExamplePadSequences() {
	seqs := [][]int{{1}, {2, 3}, {4, 5, 6, 7}}
	x, _ := preprocessing.PadSequences(seqs, preprocessing.MaxLen(3))
	fmt.Println(x.Dtype(), x.Shape(), x.Data())
	y, _ := preprocessing.PadSequences(seqs, preprocessing.Padding("post"), preprocessing.Truncating("post"), preprocessing.MaxLen(3))
	fmt.Println(y.Data())
	// Output:
	// int32 (3, 3) [0 0 1 0 2 3 5 6 7]
	// [1 0 0 2 3 0 4 5 6]
}

func ExampleTrainTestSplit() {
	x := tensor.New(tensor.WithShape(5, 2), tensor.WithBacking([]float64{0, 0, 1, 10, 2, 20, 3, 30, 4, 40}))
	y := tensor.New(tensor.WithShape(5), tensor.WithBacking([]int64{0, 1, 2, 3, 4}))
	xTrain, xTest, yTrain, yTest, _ := preprocessing.TrainTestSplit(x, y, 0.4, preprocessing.Seed(42))
	fmt.Println(xTrain.Shape(), xTest.Shape(), yTrain.Data(), yTest.Data())
	// Output: (3, 2) (2, 2) [2 0 3] [1 4]
}

func ExampleSplitIndices() {
	train, test, _ := preprocessing.SplitIndices(10, 0.2, preprocessing.Seed(0))
	fmt.Println(train, test)
	train, test, _ = preprocessing.SplitIndices(10, 0.2, preprocessing.Shuffle(false))
	fmt.Println(train, test)
	// Output:
	// [4 9 1 6 7 3 0 5] [2 8]
	// [0 1 2 3 4 5 6 7] [8 9]
}

// Deep Learning with R validates the Boston model with 4 folds of the 404
// training rows.
func ExampleKFold() {
	folds, _ := preprocessing.KFold(404, 4)
	for i, f := range folds {
		fmt.Printf("fold %d: validate on rows %d-%d, train on %d rows\n", i, f.Val[0], f.Val[len(f.Val)-1], len(f.Train))
	}
	shuffled, _ := preprocessing.KFold(6, 3, preprocessing.Seed(0))
	fmt.Println(shuffled[0].Val, shuffled[0].Train)
	// Output:
	// fold 0: validate on rows 0-100, train on 303 rows
	// fold 1: validate on rows 101-201, train on 303 rows
	// fold 2: validate on rows 202-302, train on 303 rows
	// fold 3: validate on rows 303-403, train on 303 rows
	// [2 5] [0 1 3 4]
}

func ExampleShuffleTogether() {
	x := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{0, 10, 20, 30}))
	y := tensor.New(tensor.WithShape(4), tensor.WithBacking([]uint8{0, 1, 2, 3}))
	out, _ := preprocessing.ShuffleTogether([]*tensor.Dense{x, y}, preprocessing.Seed(7))
	fmt.Println(out[0].Data(), out[1].Data())
	// Output: [20 10 0 30] [2 1 0 3]
}

func ExamplePermutation() {
	p, _ := preprocessing.Permutation(10, preprocessing.Seed(42)) // np.random.RandomState(42).permutation(10)
	fmt.Println(p)
	// Output: [8 1 5 0 7 2 9 4 3 6]
}

func ExampleTake() {
	x := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]int32{1, 2, 3, 4, 5, 6}))
	rows, _ := preprocessing.Take(x, []int{2, 0})
	fmt.Println(rows.Shape(), rows.Data())
	// Output: (2, 2) [5 6 1 2]
}

func ExampleRows64() {
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	rows, _ := preprocessing.Rows64(x)
	rows[0][1] = 20 // a view of x's data
	fmt.Println(rows, x.Data())
	// Output: [[1 20] [3 4]] [1 20 3 4]
}

func ExampleRows32() {
	x := tensor.New(tensor.WithShape(2), tensor.WithBacking([]uint8{7, 9}))
	rows, _ := preprocessing.Rows32(x)
	fmt.Println(rows)
	// Output: [[7] [9]]
}

func ExampleFromRows64() {
	x, _ := preprocessing.FromRows64([][]float64{{1, 2, 3}, {4, 5, 6}})
	fmt.Println(x.Shape())
	// Output: (2, 3)
}

func ExampleFromRows32() {
	x, _ := preprocessing.FromRows32([][]float32{{1, 2}})
	fmt.Println(x.Dtype(), x.Shape())
	// Output: float32 (1, 2)
}

func ExampleReadCSV() {
	csv := "crim,zn,medv\n0.00632,18,24\n0.02731,0,21.6\n"
	table, _ := preprocessing.ReadCSV(strings.NewReader(csv))
	x, _ := table.Float64("crim", "zn")
	y, _ := table.Float32("medv")
	fmt.Println(table.Header, x.Shape(), x.Data(), y.Shape(), y.Data())
	// Output: [crim zn medv] (2, 2) [0.00632 18 0.02731 0] (2, 1) [24 21.6]
}

func ExampleTable_Column() {
	table, _ := preprocessing.ReadCSV(strings.NewReader("1,2\n"), preprocessing.Header(false))
	i, _ := table.Column("V2")
	fmt.Println(table.Header, i)
	// Output: [V1 V2] 1
}
