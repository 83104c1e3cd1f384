package callbacks

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/internal/atomicfile"
)

// BackupAndRestoreCallback backs up the training state after every epoch
// and resumes an interrupted Fit from it. Make one with BackupAndRestore.
type BackupAndRestoreCallback struct {
	keras.CallbackBase
	dir string
	s   *settings
	err error

	restored int // epoch resumed at, -1 if none
}

// backupMeta is the content of training_metadata.json.
type backupMeta struct {
	// Epoch is the number of completed epochs, the epoch to resume at.
	Epoch int `json:"epoch"`
	// File is the backup's file name within the folder.
	File string `json:"file"`
}

const metaFile = "training_metadata.json"

var backupFile = regexp.MustCompile(`^epoch-[0-9]+\.gokeras$`)

// BackupAndRestore returns a callback that makes an interrupted Fit
// resumable (Keras: BackupAndRestore). After every completed epoch it
// saves the whole training state (Model.Save: weights, optimizer state,
// layer random streams) into backupDir as epoch-NNNNNN.gokeras, then
// points training_metadata.json at it; both writes are atomic, so a crash
// at any moment leaves a consistent backup. When Fit begins and a backup
// exists, the state is restored into the model (Model.LoadState) and Fit
// resumes at the epoch after the last completed one.
//
// Because the shuffle order and dropout masks of epoch e depend only on
// the model's seed and e, a run cancelled (or killed) and fitted again
// with the same seed, data and options ends with the same weights, bit
// for bit, as an uninterrupted run. The model must be compiled with the
// same kind of optimizer as the run that made the backup; the returned
// History holds only the epochs run after resuming.
//
// A cancelled or failed Fit does not call OnTrainEnd, so the backup is
// kept. When Fit ends normally the backup files are deleted (and the
// folder, if that leaves it empty), unless DeleteCheckpoint(false). Keep
// the folder for this callback alone. Options: DeleteCheckpoint(true),
// Verbose(0), Output. Keras's save_freq is not supported: backups are
// made per epoch, because Fit can only resume at an epoch boundary.
func BackupAndRestore(backupDir string, opts ...BackupAndRestoreOption) *BackupAndRestoreCallback {
	b := &BackupAndRestoreCallback{dir: backupDir, restored: -1}
	b.s, b.err = newSettings("BackupAndRestore", func(s *settings) { s.deleteCheckpoint = true }, opts, BackupAndRestoreOption.applyBackupAndRestore)
	if b.err == nil && backupDir == "" {
		b.err = errors.New("callbacks: BackupAndRestore: empty backup folder")
	}
	return b
}

// Err returns the error in the arguments, if any; OnTrainBegin returns it
// too.
func (b *BackupAndRestoreCallback) Err() error { return b.err }

// OnTrainBegin restores the last backup, if any, and moves Fit's first
// epoch after it.
func (b *BackupAndRestoreCallback) OnTrainBegin(keras.Logs) error {
	b.restored = -1
	if b.err != nil {
		return b.err
	}
	m := b.Model()
	if err := modelOf("BackupAndRestore", m); err != nil {
		return err
	}
	if m.Optimizer() == nil {
		return errors.New("callbacks: BackupAndRestore: the model is not compiled")
	}
	meta, err := b.readMeta()
	if err != nil || meta == nil {
		return err
	}
	if err := m.LoadState(filepath.Join(b.dir, meta.File)); err != nil {
		return errors.Wrap(err, "callbacks: BackupAndRestore: restoring the backup")
	}
	if err := m.SetInitialEpoch(meta.Epoch); err != nil {
		return errors.Wrap(err, "callbacks: BackupAndRestore")
	}
	b.restored = meta.Epoch
	if b.s.verbose > 0 {
		fmt.Fprintf(b.s.out, "BackupAndRestore: resuming at epoch %d from %s\n", meta.Epoch+1, filepath.Join(b.dir, meta.File))
	}
	return nil
}

func (b *BackupAndRestoreCallback) readMeta() (*backupMeta, error) {
	data, err := os.ReadFile(filepath.Join(b.dir, metaFile))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, errors.Wrap(err, "callbacks: BackupAndRestore")
	}
	var meta backupMeta
	if err := json.Unmarshal(data, &meta); err != nil {
		return nil, errors.Wrapf(err, "callbacks: BackupAndRestore: %s is damaged", filepath.Join(b.dir, metaFile))
	}
	if meta.Epoch < 0 || !backupFile.MatchString(meta.File) {
		return nil, errors.Errorf("callbacks: BackupAndRestore: %s is damaged (epoch %d, file %q)", filepath.Join(b.dir, metaFile), meta.Epoch, meta.File)
	}
	return &meta, nil
}

// OnEpochEnd backs up the state after the epoch.
func (b *BackupAndRestoreCallback) OnEpochEnd(epoch int, _ keras.Logs) error {
	if b.err != nil {
		return b.err
	}
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return errors.Wrap(err, "callbacks: BackupAndRestore")
	}
	meta := backupMeta{Epoch: epoch + 1, File: fmt.Sprintf("epoch-%06d.gokeras", epoch+1)}
	if err := b.Model().Save(filepath.Join(b.dir, meta.File)); err != nil {
		return errors.Wrap(err, "callbacks: BackupAndRestore")
	}
	data, _ := json.Marshal(meta)
	err := atomicfile.WriteFile(filepath.Join(b.dir, metaFile), func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return errors.Wrap(err, "callbacks: BackupAndRestore")
	}
	return b.removeBackups(meta.File)
}

// removeBackups deletes this callback's backup files other than keep.
func (b *BackupAndRestoreCallback) removeBackups(keep string) error {
	entries, err := os.ReadDir(b.dir)
	if err != nil {
		return errors.Wrap(err, "callbacks: BackupAndRestore")
	}
	for _, e := range entries {
		if e.Name() != keep && backupFile.MatchString(e.Name()) {
			if err := os.Remove(filepath.Join(b.dir, e.Name())); err != nil {
				return errors.Wrap(err, "callbacks: BackupAndRestore")
			}
		}
	}
	return nil
}

// OnTrainEnd deletes the backup (DeleteCheckpoint).
func (b *BackupAndRestoreCallback) OnTrainEnd(keras.Logs) error {
	if b.err != nil || !b.s.deleteCheckpoint {
		return b.err
	}
	if _, err := os.Stat(b.dir); os.IsNotExist(err) {
		return nil
	}
	if err := os.Remove(filepath.Join(b.dir, metaFile)); err != nil && !os.IsNotExist(err) {
		return errors.Wrap(err, "callbacks: BackupAndRestore")
	}
	if err := b.removeBackups(""); err != nil {
		return err
	}
	_ = os.Remove(b.dir) // only succeeds when the folder is empty
	return nil
}

// Restored returns the epoch the last Fit resumed at (0-based), or -1 if
// it found no backup.
func (b *BackupAndRestoreCallback) Restored() int { return b.restored }
