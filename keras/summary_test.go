package keras_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
)

func bostonModel() *keras.Model {
	return keras.Sequential(
		layers.Dense(64, layers.Activation("relu"), layers.InputShape(13)),
		layers.Dense(64, layers.Activation("relu")),
		layers.Dense(1),
	)
}

// ExampleModel_Summary prints the Boston housing walkthrough's model: the
// parameter counts are the tutorial's (896 / 4160 / 65, total 5,121).
func ExampleModel_Summary() {
	model := bostonModel()
	if err := model.Summary(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Model: "sequential"
	// _________________________________________________________________
	// Layer (type)                 Output Shape              Param #
	// =================================================================
	// dense (Dense)                (None, 64)                896
	// _________________________________________________________________
	// dense_1 (Dense)              (None, 64)                4160
	// _________________________________________________________________
	// dense_2 (Dense)              (None, 1)                 65
	// =================================================================
	// Total params: 5,121
	// Trainable params: 5,121
	// Non-trainable params: 0
	// _________________________________________________________________
}

func TestSummaryOfFashionModel(t *testing.T) {
	m := keras.Sequential(
		layers.Input(28, 28),
		layers.Flatten(),
		layers.Dense(128, layers.Activation("relu")),
		layers.Dropout(0.2),
		layers.Dense(10, layers.Activation("softmax"), layers.Name("a_very_long_layer_name_that_gets_cut")),
	)
	var b bytes.Buffer
	if err := m.Summary(&b); err != nil {
		t.Fatal(err)
	}
	want := `Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #
=================================================================
flatten (Flatten)            (None, 784)               0
_________________________________________________________________
dense (Dense)                (None, 128)               100480
_________________________________________________________________
dropout (Dropout)            (None, 128)               0
_________________________________________________________________
a_very_long_layer_name_that_ (None, 10)                1290
=================================================================
Total params: 101,770
Trainable params: 101,770
Non-trainable params: 0
_________________________________________________________________
`
	if b.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", b.String(), want)
	}
	if n, _ := m.CountParams(); n != 101770 {
		t.Errorf("CountParams = %d", n)
	}
}
