package callbacks_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/callbacks"
)

// cancelAfter cancels the run after its n-th training batch (counted over
// the whole run).
func cancelAfter(n int, cancel func()) keras.Callback {
	seen := 0
	return callbacks.Lambda{TrainBatchEnd: func(int, keras.Logs) {
		seen++
		if seen == n {
			cancel()
		}
	}}
}

func TestBackupAndRestoreResumesLikeAnUninterruptedRun(t *testing.T) {
	x, y := regression(100, 30)
	opts := []keras.FitOption{keras.Epochs(6), keras.BatchSize(16), keras.ValidationSplit(0.2), keras.Verbose(0)}
	// 80 training rows in batches of 16: 5 batches per epoch.

	ref := model(t, 30, nil)
	refHist, err := ref.Fit(context.Background(), x, y, opts...)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ref.GetWeights()

	for _, fresh := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "backup")
		m := model(t, 30, nil)
		ctx, cancel := context.WithCancel(context.Background())
		// Cancel in the middle of epoch 4 (after batch 3 of 5): the
		// weights have moved past the backup of epoch 3.
		h, err := m.Fit(ctx, x, y, append(opts, keras.Callbacks(callbacks.BackupAndRestore(dir), cancelAfter(3*5+3, cancel)))...)
		cancel()
		if !errors.Is(err, context.Canceled) || h.Len() != 3 {
			t.Fatalf("interrupted run: %v after %d epochs", err, h.Len())
		}
		got := listDir(t, dir)
		if strings.Join(got, " ") != "epoch-000003.gokeras training_metadata.json" {
			t.Fatalf("backup folder holds %v", got)
		}
		if fresh {
			// A new process: a new model value with the same seed.
			m = model(t, 30, nil)
		}
		br := callbacks.BackupAndRestore(dir)
		h, err = m.Fit(context.Background(), x, y, append(opts, keras.Callbacks(br))...)
		if err != nil {
			t.Fatal(err)
		}
		if br.Restored() != 3 || h.Len() != 3 || h.Epoch[0] != 3 {
			t.Fatalf("resumed at %d and ran epochs %v, want 3 and [3 4 5]", br.Restored(), h.Epoch)
		}
		w, _ := m.GetWeights()
		if !sameWeights(w, want) {
			t.Errorf("fresh=%v: weights after resuming differ from the uninterrupted run", fresh)
		}
		last, _ := h.Last("val_loss")
		refLast, _ := refHist.Last("val_loss")
		if last != refLast {
			t.Errorf("fresh=%v: last val_loss %v, uninterrupted %v", fresh, last, refLast)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("the backup folder survived a completed run: %v", listDir(t, dir))
		}
	}
}

func TestBackupAndRestoreKeepsBackupOnErrorAndOnRequest(t *testing.T) {
	x, y := regression(40, 31)
	dir := t.TempDir() // holds another file: it must survive
	other := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(other, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := model(t, 31, nil)
	boom := callbacks.LearningRateScheduler(func(epoch int, lr float64) float64 {
		if epoch == 2 {
			return -1
		}
		return lr
	})
	if _, err := m.Fit(context.Background(), x, y, keras.Epochs(5), keras.Verbose(0), keras.Callbacks(callbacks.BackupAndRestore(dir), boom)); err == nil {
		t.Fatal("no error")
	}
	if got := strings.Join(listDir(t, dir), " "); got != "epoch-000002.gokeras notes.txt training_metadata.json" {
		t.Fatalf("after a failed run the folder holds %s", got)
	}
	// Resume and keep the backup at the end.
	br := callbacks.BackupAndRestore(dir, callbacks.DeleteCheckpoint(false))
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(5), keras.Verbose(0), keras.Callbacks(br))
	if err != nil || br.Restored() != 2 || h.Len() != 3 {
		t.Fatalf("resume: %v, restored %d, %d epochs", err, br.Restored(), h.Len())
	}
	if got := strings.Join(listDir(t, dir), " "); got != "epoch-000005.gokeras notes.txt training_metadata.json" {
		t.Fatalf("kept backup: %s", got)
	}
	// A completed backup and a finished run: nothing left to do.
	h, err = m.Fit(context.Background(), x, y, keras.Epochs(5), keras.Verbose(0), keras.Callbacks(callbacks.BackupAndRestore(dir)))
	if err != nil || h.Len() != 0 {
		t.Fatalf("finished backup: %v, %d epochs", err, h.Len())
	}
	if got := strings.Join(listDir(t, dir), " "); got != "notes.txt" {
		t.Errorf("after deleting the backup the folder holds %s", got)
	}
	// A damaged metadata file is an error before training.
	if err := os.WriteFile(filepath.Join(dir, "training_metadata.json"), []byte(`{"epoch": 2, "file": "../x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = m.Fit(context.Background(), x, y, keras.Epochs(5), keras.Verbose(0), keras.Callbacks(callbacks.BackupAndRestore(dir)))
	if err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), "on_train_begin") {
		t.Errorf("damaged metadata: %v", err)
	}
	if cb := callbacks.BackupAndRestore(""); cb.Err() == nil {
		t.Error("empty folder gave no error")
	}
}
