//go:build unix

package keras_test

import (
	"bufio"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
)

const saveLoopEnv = "GOKERAS_TEST_SAVE_LOOP"

// killModel is big enough (about 1 MB) that a save takes a while, so that
// kills land mid-save.
func killModel() *keras.Model {
	m := keras.Sequential(layers.Dense(512, layers.InputShape(500)), layers.Dense(1))
	_ = m.SetSeed(1)
	return m
}

// fillWeights sets every weight of m to the value k, so a loaded file
// says which save it came from.
func fillWeights(m *keras.Model, k int) error {
	ws, err := m.GetWeights()
	if err != nil {
		return err
	}
	for _, w := range ws {
		d := w.Data().([]float32)
		for i := range d {
			d[i] = float32(k)
		}
	}
	return m.SetWeights(ws)
}

// saveLoop is the child process: it saves m with weights 1, 2, 3, ...
// forever, printing "saving k" before and "saved k" after each save.
func saveLoop(path string) {
	m := killModel()
	out := bufio.NewWriter(os.Stdout)
	for k := 1; ; k++ {
		if err := fillWeights(m, k); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Fprintf(out, "saving %d\n", k)
		out.Flush()
		if err := m.Save(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Fprintf(out, "saved %d\n", k)
		out.Flush()
	}
}

// TestKillDuringSave kills (SIGKILL) a process that saves a model in a
// loop, at random moments, and checks that the file it leaves is always
// a complete save: the last one reported, or the one after it.
func TestKillDuringSave(t *testing.T) {
	if path := os.Getenv(saveLoopEnv); path != "" {
		saveLoop(path)
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "loop.gokeras")
	rng := rand.New(rand.NewSource(1))
	kills := 10
	if testing.Short() {
		kills = 3
	}
	midSave := 0
	for round := 0; round < kills; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillDuringSave$")
		cmd.Env = append(os.Environ(), saveLoopEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait for the third save to start, then kill at a random moment
		// within the next 15 ms (a save takes about 10-25 ms here).
		type event struct {
			done bool
			k    int
		}
		events := make(chan event, 1000)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				if len(f) == 2 {
					if k, err := strconv.Atoi(f[1]); err == nil {
						events <- event{f[0] == "saved", k}
					}
				}
			}
			close(events)
		}()
		last := 0 // the last save reported complete
		for {
			e, ok := <-events
			if !ok {
				t.Fatalf("the child stopped: %s", stderr.String())
			}
			if e.done {
				last = e.k
			} else if e.k == 3 {
				break
			}
		}
		time.Sleep(time.Duration(rng.Intn(15000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		for e := range events {
			if e.done {
				last = e.k
			}
		}
		m, err := keras.LoadModel(path)
		if err != nil {
			t.Fatalf("round %d: after a kill following save %d the file does not load: %v", round, last, err)
		}
		ws, _ := m.GetWeights()
		got := int(ws[0].Data().([]float32)[0])
		if got != last && got != last+1 {
			t.Fatalf("round %d: the file holds save %d, the last reported was %d", round, got, last)
		}
		for _, w := range ws {
			for _, v := range w.Data().([]float32) {
				if int(v) != got {
					t.Fatalf("round %d: a mixed file (%v and %d)", round, v, got)
				}
			}
		}
		temps, _ := filepath.Glob(filepath.Join(dir, ".loop.gokeras.tmp-*"))
		if len(temps) > 0 {
			midSave++
			for _, tmp := range temps {
				os.Remove(tmp)
			}
		}
	}
	t.Logf("%d of %d kills landed mid-save (left a temporary file)", midSave, kills)
}
