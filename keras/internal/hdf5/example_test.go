package hdf5_test

import (
	"fmt"

	"github.com/gokeras/gokeras/keras/internal/hdf5"
)

// Example writes a Keras 3 style weights file and reads it back.
func Example() {
	w := hdf5.NewWriter()
	vars, err := w.Root().CreateGroup("layers/dense/vars")
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := vars.CreateDataset("0", []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := vars.CreateDataset("1", []int{3}, []float32{0.5, 0, -0.5}, hdf5.Gzip(4)); err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Root().SetAttr("layer_names", hdf5.ByteStrings{"dense"}); err != nil {
		fmt.Println(err)
		return
	}
	data, err := w.Bytes()
	if err != nil {
		fmt.Println(err)
		return
	}

	f, err := hdf5.Open(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := f.Group("layers/dense/vars")
	if err != nil {
		fmt.Println(err)
		return
	}
	links, err := g.Children()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range links {
		ds, err := g.Dataset(l.Name)
		if err != nil {
			fmt.Println(err)
			return
		}
		v, err := ds.Float32s()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(ds.Path(), ds.Dtype(), ds.Shape(), v)
	}
	a, err := f.Root().Attr("layer_names")
	if err != nil {
		fmt.Println(err)
		return
	}
	names, err := a.Strings()
	fmt.Println(a.Name, a.Type, names, err)
	// Output:
	// /layers/dense/vars/0 <f4 [2 3] [1 2 3 4 5 6]
	// /layers/dense/vars/1 <f4 [3] [0.5 0 -0.5]
	// layer_names |S5 [dense] <nil>
}
