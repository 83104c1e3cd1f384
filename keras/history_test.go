package keras_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/keras"
)

// scriptedHistory records three epochs by hand, with a key that a callback
// adds from the second epoch on.
func scriptedHistory(t *testing.T) *keras.History {
	t.Helper()
	h := keras.NewHistory()
	logs := []keras.Logs{
		{"loss": 1.5, "mae": 1, "val_loss": 2, "val_mae": 1.25},
		{"loss": 0.75, "mae": 0.5, "val_loss": 1, "val_mae": 0.875, "learning_rate": 0.001},
		{"loss": 0.5, "mae": 1e-5, "val_loss": math.Inf(1), "val_mae": 0.5, "learning_rate": 0.0001},
	}
	for i, l := range logs {
		if err := h.OnEpochEnd(i, l); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func TestHistoryExports(t *testing.T) {
	h := scriptedHistory(t)
	var wide bytes.Buffer
	if err := h.WriteCSV(&wide); err != nil {
		t.Fatal(err)
	}
	// Without a compiled model the order is loss, val_loss, the other
	// keys sorted, then keys that appear later.
	wantWide := "epoch,loss,val_loss,mae,val_mae,learning_rate\n" +
		"0,1.5,2,1,1.25,NaN\n" +
		"1,0.75,1,0.5,0.875,0.001\n" +
		"2,0.5,Inf,1e-05,0.5,0.0001\n"
	if wide.String() != wantWide {
		t.Errorf("WriteCSV:\n%s\nwant\n%s", wide.String(), wantWide)
	}
	var long bytes.Buffer
	if err := h.WriteLongCSV(&long); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(long.String()), "\n")
	if len(lines) != 1+5*3 || lines[0] != "epoch,value,metric,data" || lines[1] != "1,1.5,loss,training" ||
		lines[4] != "1,2,loss,validation" || lines[12] != "3,0.5,mae,validation" || lines[15] != "3,0.0001,learning_rate,training" {
		t.Errorf("WriteLongCSV:\n%s", long.String())
	}
	if got := strings.Join(h.Metrics(), ","); got != "loss,mae,learning_rate" {
		t.Errorf("Metrics() = %s", got)
	}
}

func TestHistoryJSONRoundTrip(t *testing.T) {
	h := scriptedHistory(t)
	h.Params = keras.Params{Epochs: 10, Steps: 4, BatchSize: 32, Samples: 100, Verbose: 0}
	data, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"params":{"epochs":10,"steps":4,"batch_size":32,"samples":100,"verbose":0},"epoch":[0,1,2],` +
		`"history":{"loss":[1.5,0.75,0.5],"val_loss":[2,1,null],"mae":[1,0.5,1e-05],"val_mae":[1.25,0.875,0.5],"learning_rate":[null,0.001,0.0001]}}`
	if string(data) != want {
		t.Fatalf("JSON:\n%s\nwant\n%s", data, want)
	}
	var back keras.History
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if strings.Join(back.Keys(), ",") != strings.Join(h.Keys(), ",") || back.Params != h.Params || back.Len() != 3 {
		t.Fatalf("round trip: keys %v params %+v", back.Keys(), back.Params)
	}
	for _, k := range h.Keys() {
		a, _ := h.Get(k)
		b, _ := back.Get(k)
		for i := range a {
			if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) && !(math.IsInf(a[i], 0) && math.IsNaN(b[i])) {
				t.Errorf("%s[%d]: %v, read back %v", k, i, a[i], b[i])
			}
		}
	}
	for _, bad := range []string{`{"epoch":[0],"history":{"loss":[1,2]}}`, `{"epoch":[0],"history":[1]}`, `{"epoch":"x"}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("Unmarshal(%s) gave no error", bad)
		}
	}
}
