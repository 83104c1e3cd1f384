package callbacks

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras"
)

// CSVLoggerCallback streams each epoch's logs to a CSV file. Make one
// with CSVLogger.
type CSVLoggerCallback struct {
	keras.CallbackBase
	filename string
	s        *settings
	sep      rune
	err      error

	keys   []string // columns after "epoch", fixed by the first row
	header bool     // the file already has a header
}

// CSVLogger returns a callback that writes one row per epoch to filename
// (Keras: CSVLogger): the column "epoch" (0-based, as Keras writes it)
// then every logged key in sorted order, fixed at the first epoch of the
// run; a key missing in a later epoch is written "NA". Values are written
// by keras.FormatFloat (shortest round-trip decimal, "NaN", "Inf").
//
// Options and defaults: Separator(","), Append(false). Without Append the
// file is replaced when training begins. With Append, rows are added and
// the header is written only if the file is empty; when the file already
// has a header its column order is kept, and a key the header lacks is an
// error.
//
// Each row is written with one write to a file opened for appending and
// closed again, so the file is complete up to the last finished epoch
// even if the process dies or Fit is cancelled.
func CSVLogger(filename string, opts ...CSVLoggerOption) *CSVLoggerCallback {
	c := &CSVLoggerCallback{filename: filename}
	c.s, c.err = newSettings("CSVLogger", nil, opts, CSVLoggerOption.applyCSVLogger)
	if c.err == nil {
		r, size := utf8.DecodeRuneInString(c.s.separator)
		if size == 0 || size != len(c.s.separator) || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError {
			c.err = errors.Errorf("callbacks: CSVLogger: separator must be one character other than a quote or newline, got %q", c.s.separator)
		}
		c.sep = r
	}
	if c.err == nil && filename == "" {
		c.err = errors.New("callbacks: CSVLogger: empty file name")
	}
	return c
}

// Err returns the error in the arguments, if any; OnTrainBegin returns it
// too.
func (c *CSVLoggerCallback) Err() error { return c.err }

// OnTrainBegin replaces the file (or, with Append, reads its header).
func (c *CSVLoggerCallback) OnTrainBegin(keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	c.keys, c.header = nil, false
	if !c.s.appendFile {
		f, err := os.Create(c.filename)
		if err != nil {
			return errors.Wrap(err, "callbacks: CSVLogger")
		}
		return errors.Wrap(f.Close(), "callbacks: CSVLogger")
	}
	f, err := os.Open(c.filename)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return errors.Wrap(err, "callbacks: CSVLogger")
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && err != io.EOF {
		return errors.Wrap(err, "callbacks: CSVLogger")
	}
	if len(bytes.TrimSpace([]byte(line))) == 0 {
		return nil
	}
	r := csv.NewReader(bytes.NewReader([]byte(line)))
	r.Comma = c.sep
	cols, err := r.Read()
	if err != nil || len(cols) == 0 || cols[0] != "epoch" {
		return errors.Errorf("callbacks: CSVLogger: %s does not start with a CSVLogger header (epoch%c...)", c.filename, c.sep)
	}
	c.keys, c.header = cols[1:], true
	return nil
}

// OnEpochEnd appends the epoch's row.
func (c *CSVLoggerCallback) OnEpochEnd(epoch int, logs keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	if c.keys == nil {
		c.keys = sortedKeys(logs)
	} else if c.header {
		known := map[string]bool{}
		for _, k := range c.keys {
			known[k] = true
		}
		var extra []string
		for k := range logs {
			if !known[k] {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			sort.Strings(extra)
			return errors.Errorf("callbacks: CSVLogger: %s has no column for %v (its header: %v); log to a new file or without Append", c.filename, extra, c.keys)
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = c.sep
	if !c.header {
		_ = w.Write(append([]string{"epoch"}, c.keys...))
		c.header = true
	}
	row := make([]string, len(c.keys)+1)
	row[0] = strconv.Itoa(epoch)
	for i, k := range c.keys {
		if v, ok := logs[k]; ok {
			row[i+1] = keras.FormatFloat(v)
		} else {
			row[i+1] = "NA"
		}
	}
	_ = w.Write(row)
	w.Flush()
	f, err := os.OpenFile(c.filename, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return errors.Wrap(err, "callbacks: CSVLogger")
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		return errors.Wrap(err, "callbacks: CSVLogger")
	}
	return errors.Wrap(f.Close(), "callbacks: CSVLogger")
}
