package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
)

// TestFlags checks TF Serving's flag spellings and the -port alias.
func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		port int
		err  string
	}{
		{[]string{"-model_base_path", "/m"}, 8501, ""},
		{[]string{"--model_base_path=/m", "--rest_api_port=9000"}, 9000, ""},
		{[]string{"-model_base_path", "/m", "-port", "8600"}, 8600, ""},
		{[]string{"-model_base_path", "/m", "-port", "8600", "-rest_api_port", "8600"}, 8600, ""},
		{[]string{"-model_base_path", "/m", "-port", "8600", "-rest_api_port", "8601"}, 0, "differ"},
		{[]string{"-port", "8600"}, 0, "no model"},
		{[]string{"-model_config_file", "c", "-model_base_path", "/m"}, 0, "not both"},
		{[]string{"-model_base_path", "/m", "-port", "70000"}, 0, "out of range"},
		{[]string{"-model_base_path", "/m", "extra"}, 0, "unexpected argument"},
		{[]string{"-model_base_path", "/m", "-file_system_poll_wait_seconds", "-1"}, 0, "negative"},
	} {
		o, err := parseFlags(tc.args, io.Discard)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: error %v, want %q", tc.args, err, tc.err)
			}
		case err != nil:
			t.Errorf("%v: %v", tc.args, err)
		case o.restPort != tc.port:
			t.Errorf("%v: port %d, want %d", tc.args, o.restPort, tc.port)
		}
	}
}

// TestRunServesAndShutsDown runs the command as a user types it, with a
// saved model in the version layout, asks for the model's status and a
// prediction on 127.0.0.1, then stops it as SIGTERM would.
func TestRunServesAndShutsDown(t *testing.T) {
	base := t.TempDir()
	m := keras.Sequential(layers.Dense(2, layers.InputShape(3)))
	if err := m.SetSeed(1); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(base, "1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(filepath.Join(base, "1", "model.gokeras")); err != nil {
		t.Fatal(err)
	}
	batching := filepath.Join(t.TempDir(), "batching.config")
	if err := os.WriteFile(batching, []byte("max_batch_size { value: 8 }\nbatch_timeout_micros { value: 100 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-model_name", "tiny", "-model_base_path", base, "-rest_api_host", "127.0.0.1", "-port", "0",
			"-enable_batching", "-batching_parameters_file", batching}, io.Discard, func(a string) { addr <- a })
	}()
	var url string
	select {
	case a := <-addr:
		url = "http://" + a
	case err := <-done:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not start")
	}
	resp, err := http.Get(url + "/v1/models/tiny")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"state":"AVAILABLE"`) {
		t.Errorf("status: %d %s", resp.StatusCode, body)
	}
	resp, err = http.Post(url+"/v1/models/tiny:predict", "application/json", strings.NewReader(`{"instances": [[1, 2, 3]]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), `{"predictions":[[`) {
		t.Errorf("predict: %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not shut down")
	}
}
