package preprocessing

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Table is a CSV file held as text, from which tensors are built column by
// column, for users bringing their own data (read.csv in R).
type Table struct {
	// Header holds the column names; without a header row they are "V1",
	// "V2", ...
	Header []string
	// Records holds the data rows, each with len(Header) fields.
	Records [][]string
}

// ReadCSV reads a CSV table. Every record must have as many fields as the
// first; surrounding spaces of fields are trimmed.
//
// Accepted options: Header (default true), Comma (default ',').
func ReadCSV(r io.Reader, opts ...ReadCSVOption) (t *Table, err error) {
	defer guard("ReadCSV", &err)
	c, err := newConfig("ReadCSV", opts, ReadCSVOption.readCSV)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(r)
	cr.Comma = c.comma
	cr.TrimLeadingSpace = true
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, errors.Wrap(err, "preprocessing: ReadCSV")
	}
	if len(recs) == 0 {
		return nil, errors.New("preprocessing: ReadCSV: no records")
	}
	t = &Table{}
	if c.header {
		t.Header, recs = recs[0], recs[1:]
		for i := range t.Header {
			t.Header[i] = strings.TrimSpace(t.Header[i])
		}
	} else {
		for i := range recs[0] {
			t.Header = append(t.Header, fmt.Sprintf("V%d", i+1))
		}
	}
	t.Records = recs
	return t, nil
}

// Float64 builds a float64 (rows, len(columns)) tensor from the named
// columns, in the order given; with no names it takes every column. A field
// that is not a number (including "NA" and empty fields) is an error naming
// its row and column.
func (t *Table) Float64(columns ...string) (*tensor.Dense, error) {
	data, shape, err := t.numbers("Float64", columns)
	if err != nil {
		return nil, err
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data)), nil
}

// Float32 is Float64 with a float32 result.
func (t *Table) Float32(columns ...string) (*tensor.Dense, error) {
	data, shape, err := t.numbers("Float32", columns)
	if err != nil {
		return nil, err
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(convert[float64, float32](data))), nil
}

// Column returns the index of the named column.
func (t *Table) Column(name string) (int, error) {
	for i, h := range t.Header {
		if h == name {
			return i, nil
		}
	}
	return -1, errors.Errorf("preprocessing: Table.Column: no column %q (columns: %s)", name, strings.Join(t.Header, ", "))
}

func (t *Table) numbers(fn string, columns []string) ([]float64, []int, error) {
	if t == nil {
		return nil, nil, errors.Errorf("preprocessing: Table.%s: nil table", fn)
	}
	if len(columns) == 0 {
		columns = t.Header
	}
	if len(t.Records) == 0 || len(columns) == 0 {
		return nil, nil, errors.Errorf("preprocessing: Table.%s: empty table", fn)
	}
	idx := make([]int, len(columns))
	for k, name := range columns {
		i, err := t.Column(name)
		if err != nil {
			return nil, nil, errors.Errorf("preprocessing: Table.%s: no column %q (columns: %s)", fn, name, strings.Join(t.Header, ", "))
		}
		idx[k] = i
	}
	data := make([]float64, 0, len(t.Records)*len(idx))
	for r, rec := range t.Records {
		for k, i := range idx {
			if i >= len(rec) {
				return nil, nil, errors.Errorf("preprocessing: Table.%s: row %d has %d fields, no column %q", fn, r+1, len(rec), columns[k])
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(rec[i]), 64)
			if err != nil {
				return nil, nil, errors.Errorf("preprocessing: Table.%s: row %d, column %q: %q is not a number", fn, r+1, columns[k], rec[i])
			}
			data = append(data, v)
		}
	}
	return data, []int{len(t.Records), len(idx)}, nil
}
