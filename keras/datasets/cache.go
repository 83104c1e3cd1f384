package datasets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/pkg/errors"
)

// remoteFile is one file of a data set: where it lives in a Keras datasets
// folder and the checksum of the copy at the origin.
type remoteFile struct {
	rel    string // path inside a datasets folder, slash separated
	sha256 string // published SHA-256 of the download
}

// cacheDirs returns the datasets folders to search, in order: the Dir option,
// $KERAS_HOME/datasets, ~/.keras/datasets.
func (c *config) cacheDirs() []string {
	var dirs []string
	if c.dir != "" {
		dirs = append(dirs, c.dir)
	}
	if kh := os.Getenv("KERAS_HOME"); kh != "" {
		dirs = append(dirs, filepath.Join(kh, "datasets"))
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		dirs = append(dirs, filepath.Join(home, ".keras", "datasets"))
	}
	return dirs
}

// find returns the path of rel in the first cache folder holding it.
func (c *config) find(rel string) (string, bool) {
	for _, d := range c.cacheDirs() {
		p := filepath.Join(d, filepath.FromSlash(rel))
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

// fetch returns the local path of each file, downloading those that are in
// no cache folder.
func (c *config) fetch(ctx context.Context, files []remoteFile) ([]string, error) {
	paths := make([]string, len(files))
	for i, f := range files {
		if p, ok := c.find(f.rel); ok {
			paths[i] = p
			continue
		}
		p, err := c.downloadToCache(ctx, f, f.rel)
		if err != nil {
			return nil, err
		}
		paths[i] = p
	}
	return paths, nil
}

// notFound builds the error of a file that is not cached and could not be
// downloaded.
func (c *config) notFound(rel string, cause error) error {
	return errors.Wrapf(cause, "%s not in %v and download failed", rel, c.cacheDirs())
}

// downloadToCache downloads f into the first cache folder that can be
// created and returns its path. missing names the file the loader looked
// for, for the error message.
func (c *config) downloadToCache(ctx context.Context, f remoteFile, missing string) (string, error) {
	if !c.download {
		return "", c.notFound(missing, errors.New("downloads are off (Download(false))"))
	}
	dirs := c.cacheDirs()
	if len(dirs) == 0 {
		return "", c.notFound(missing, errors.New("no cache directory: set Dir, KERAS_HOME or HOME"))
	}
	var dest string
	var mkErr error
	for _, d := range dirs {
		p := filepath.Join(d, filepath.FromSlash(f.rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			mkErr = err
			continue
		}
		if err := writable(filepath.Dir(p)); err != nil {
			mkErr = err
			continue
		}
		dest = p
		break
	}
	if dest == "" {
		return "", c.notFound(missing, errors.Wrap(mkErr, "no writable cache directory"))
	}
	base := path.Base(f.rel)
	want := f.sha256
	if h, ok := c.hashes[base]; ok {
		want = h
	}
	if err := download(ctx, c.client, c.origin+base, dest, want, c.progress); err != nil {
		return "", c.notFound(missing, err)
	}
	return dest, nil
}

// writable reports whether a file can be created in dir.
func writable(dir string) error {
	f, err := os.CreateTemp(dir, ".gokeras-write-test-*")
	if err != nil {
		return err
	}
	name := f.Name()
	_ = f.Close()
	return os.Remove(name)
}

// download fetches url into dest atomically: the body goes to a temporary
// file in dest's folder while its SHA-256 is computed; only a complete body
// with the wanted checksum is synced and renamed to dest. On any failure the
// temporary file is removed.
func download(ctx context.Context, client *http.Client, url, dest, wantSHA string, progress io.Writer) (err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return errors.Wrap(err, "bad origin URL")
	}
	resp, err := client.Do(req)
	if err != nil {
		return errors.Wrap(err, "GET")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.Errorf("GET %s: %s", url, resp.Status)
	}
	return writeAtomic(dest, func(w io.Writer) error {
		h := sha256.New()
		bar := newProgressBar(progress, filepath.Base(dest), resp.ContentLength)
		n, err := io.Copy(io.MultiWriter(w, h, bar), resp.Body)
		bar.finish(err == nil)
		if err != nil {
			return errors.Wrapf(err, "GET %s: connection lost after %d bytes", url, n)
		}
		if resp.ContentLength >= 0 && n != resp.ContentLength {
			return errors.Errorf("GET %s: got %d of %d bytes", url, n, resp.ContentLength)
		}
		got := hex.EncodeToString(h.Sum(nil))
		if wantSHA != "" && got != wantSHA {
			return errors.Errorf("GET %s: sha256 %s, want %s", url, got, wantSHA)
		}
		return nil
	})
}

// writeAtomic writes dest through fill: a temporary file in the same folder
// receives the bytes, is synced and renamed over dest, and the folder is
// synced. If fill fails nothing is left behind.
func writeAtomic(dest string, fill func(io.Writer) error) (err error) {
	dir := filepath.Dir(dest)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".part-*")
	if err != nil {
		return errors.Wrap(err, "create temporary file")
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return errors.Wrap(err, "sync")
	}
	if err = tmp.Close(); err != nil {
		return errors.Wrap(err, "close")
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return errors.Wrap(err, "chmod")
	}
	if err = os.Rename(tmp.Name(), dest); err != nil {
		return errors.Wrap(err, "rename")
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync() // best effort: makes the rename durable where supported
		_ = d.Close()
	}
	return nil
}

// progressBar draws download progress. On a terminal it redraws one line in
// place at most every 100 ms; on any other writer it writes one line at the
// start and one at the end, so logs are not flooded.
type progressBar struct {
	w     io.Writer
	name  string
	total int64
	done  int64
	tty   bool
	last  time.Time
	start time.Time
}

func newProgressBar(w io.Writer, name string, total int64) *progressBar {
	b := &progressBar{w: w, name: name, total: total, tty: isTerminal(w), start: time.Now()}
	if w != nil && !b.tty {
		if total >= 0 {
			fmt.Fprintf(w, "Downloading %s (%s)\n", name, humanBytes(total))
		} else {
			fmt.Fprintf(w, "Downloading %s\n", name)
		}
	}
	return b
}

func (b *progressBar) Write(p []byte) (int, error) {
	b.done += int64(len(p))
	if b.w != nil && b.tty && time.Since(b.last) >= 100*time.Millisecond {
		b.last = time.Now()
		fmt.Fprintf(b.w, "\r%s", renderBar(b.name, b.done, b.total))
	}
	return len(p), nil
}

func (b *progressBar) finish(ok bool) {
	if b.w == nil {
		return
	}
	status := "done"
	if !ok {
		status = "failed"
	}
	if b.tty {
		fmt.Fprintf(b.w, "\r%s %s\n", renderBar(b.name, b.done, b.total), status)
		return
	}
	fmt.Fprintf(b.w, "Downloading %s: %s, %s in %.1fs\n", b.name, status, humanBytes(b.done), time.Since(b.start).Seconds())
}

// renderBar draws "name  45% [=============>................] 5.2 MB/11.5 MB".
// Without a known total it shows only the byte count.
func renderBar(name string, done, total int64) string {
	const width = 30
	if total <= 0 {
		return fmt.Sprintf("%s %s", name, humanBytes(done))
	}
	frac := float64(done) / float64(total)
	if frac > 1 {
		frac = 1
	}
	filled := int(frac * width)
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(".", width-filled-1)
	}
	return fmt.Sprintf("%s %3d%% [%s] %s/%s", name, int(frac*100), bar, humanBytes(done), humanBytes(total))
}

// humanBytes formats n with a decimal unit: 950 B, 11.5 MB, 1.2 GB.
func humanBytes(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	default:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	}
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
