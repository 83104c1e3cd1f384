package hdf5

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// expectedObject is what testdata/make_fixtures.py recorded h5py reading:
// for a group its children and attributes, for a dataset its dtype, shape,
// values and attributes. Kind is "group" for a group and, for a dataset,
// the kind of the values h5py returned ("float", "int", "bool", "str",
// "bytes"; h5py 3 returns bytes for variable-length string datasets).
type expectedObject struct {
	Kind      string                   `json:"kind"`
	Children  [][2]string              `json:"children"`
	AttrOrder []string                 `json:"attr_order"`
	Attrs     map[string]expectedValue `json:"attrs"`
	Dtype     string                   `json:"dtype"`
	Shape     []int                    `json:"shape"`
	Values    []string                 `json:"values"`
}

type expectedValue struct {
	Dtype  string   `json:"dtype"`
	Shape  []int    `json:"shape"`
	VKind  string   `json:"kind"`
	Values []string `json:"values"`
}

func loadExpected(t *testing.T) map[string]map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

type valueSource interface {
	Float64s() ([]float64, error)
	Int64s() ([]int64, error)
	Strings() ([]string, error)
}

func checkValues(t *testing.T, where string, src valueSource, kind string, want []string) {
	t.Helper()
	switch kind {
	case "float":
		got, err := src.Float64s()
		if err != nil {
			t.Errorf("%s: %v", where, err)
			return
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d values, want %d", where, len(got), len(want))
			return
		}
		for i, w := range want {
			wv, err := strconv.ParseFloat(w, 64)
			if err != nil {
				t.Fatal(err)
			}
			if !(math.IsNaN(wv) && math.IsNaN(got[i])) && math.Float64bits(wv) != math.Float64bits(got[i]) {
				t.Errorf("%s: value %d is %v, want %v", where, i, got[i], wv)
				return
			}
		}
	case "int", "bool":
		got, err := src.Int64s()
		if err != nil {
			t.Errorf("%s: %v", where, err)
			return
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d values, want %d", where, len(got), len(want))
			return
		}
		for i, w := range want {
			var wv int64
			switch w {
			case "true":
				wv = 1
			case "false":
				wv = 0
			default:
				wv, err = strconv.ParseInt(w, 10, 64)
				if err != nil {
					t.Fatal(err)
				}
			}
			if got[i] != wv {
				t.Errorf("%s: value %d is %d, want %d", where, i, got[i], wv)
				return
			}
		}
	case "str", "bytes":
		got, err := src.Strings()
		if err != nil {
			t.Errorf("%s: %v", where, err)
			return
		}
		if kind == "bytes" {
			// The script wrote bytes as Latin-1 text.
			for i, w := range want {
				b := make([]byte, 0, len(w))
				for _, r := range w {
					b = append(b, byte(r))
				}
				want[i] = string(b)
			}
		}
		if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%s: values %q, want %q", where, got, want)
		}
	default:
		if len(want) != 0 {
			t.Errorf("%s: unknown value kind %q", where, kind)
		}
	}
}

func checkAttrs(t *testing.T, where string, o interface {
	Attrs() ([]*Attribute, error)
}, order []string, want map[string]expectedValue) {
	t.Helper()
	attrs, err := o.Attrs()
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return
	}
	var names []string
	for _, a := range attrs {
		names = append(names, a.Name)
	}
	if len(order) == 0 {
		order = nil
	}
	if !reflect.DeepEqual(names, order) {
		t.Errorf("%s: attributes %q, h5py lists %q", where, names, order)
	}
	for _, a := range attrs {
		w, ok := want[a.Name]
		if !ok {
			continue
		}
		aw := where + ": attribute " + a.Name
		if a.Type.String() != w.Dtype {
			t.Errorf("%s: dtype %s, want %s", aw, a.Type, w.Dtype)
		}
		if !reflect.DeepEqual(a.Shape, w.Shape) && !(len(a.Shape) == 0 && len(w.Shape) == 0) {
			t.Errorf("%s: shape %v, want %v", aw, a.Shape, w.Shape)
		}
		checkValues(t, aw, a, w.VKind, append([]string(nil), w.Values...))
	}
}

// unsupported lists the fixture datasets the reader refuses, with the
// error it must give.
var unsupported = map[string]string{
	"latest_extras.h5:/earray":      "hdf5: /earray: chunk index (extensible array): not supported",
	"latest_extras.h5:/earray_gzip": "hdf5: /earray_gzip: chunk index (extensible array): not supported",
}

// TestFixtures reads every file written by testdata/make_fixtures.py and
// checks every group's links (names, kinds, h5py's order), every attribute
// and every dataset (dtype, shape, values bit for bit) against what h5py
// read from it.
func TestFixtures(t *testing.T) {
	all := loadExpected(t)
	var files []string
	for name := range all {
		files = append(files, name)
	}
	sort.Strings(files)
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			f, err := Open(data)
			if err != nil {
				t.Fatal(err)
			}
			objs := all[name]
			var paths []string
			for p := range objs {
				paths = append(paths, p)
			}
			sort.Strings(paths)
			for _, p := range paths {
				var e expectedObject
				if err := json.Unmarshal(objs[p], &e); err != nil {
					t.Fatal(err)
				}
				checkObject(t, f, name, p, e)
			}
		})
	}
}

// checkObject checks one group or dataset of f against what h5py read.
func checkObject(t *testing.T, f *File, name, p string, e expectedObject) {
	t.Helper()
	if e.Kind == "group" {
		g, err := f.Group(p)
		if err != nil {
			t.Errorf("%v", err)
			return
		}
		kids, err := g.Children()
		if err != nil {
			t.Errorf("%v", err)
			return
		}
		var got [][2]string
		for _, l := range kids {
			k := map[LinkKind]string{KindGroup: "group", KindDataset: "dataset", KindSoft: "soft", KindDatatype: "datatype"}[l.Kind]
			got = append(got, [2]string{l.Name, k})
		}
		if !reflect.DeepEqual(got, e.Children) && !(len(got) == 0 && len(e.Children) == 0) {
			t.Errorf("%s: children %v, want %v", p, got, e.Children)
		}
		checkAttrs(t, p, g, e.AttrOrder, e.Attrs)
		return
	}
	ds, err := f.Dataset(p)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	if msg, ok := unsupported[name+":"+p]; ok {
		_, err := ds.Raw()
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %v, want one containing %q", p, err, msg)
		}
		return
	}
	if ds.Dtype().String() != e.Dtype {
		t.Errorf("%s: dtype %s, want %s", p, ds.Dtype(), e.Dtype)
	}
	if !reflect.DeepEqual(ds.Shape(), e.Shape) && !(len(ds.Shape()) == 0 && len(e.Shape) == 0) {
		t.Errorf("%s: shape %v, want %v", p, ds.Shape(), e.Shape)
	}
	// For a dataset, "kind" is the kind of values h5py returned (bytes for
	// a variable-length string dataset, as h5py 3 does).
	checkValues(t, p, ds, e.Kind, e.Values)
	checkAttrs(t, p, ds, e.AttrOrder, e.Attrs)
}
