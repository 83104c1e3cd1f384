package datasets_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gokeras/gokeras/keras/datasets"
	"gorgonia.org/tensor"
)

// origin serves files by base name and counts the requests.
type origin struct {
	files map[string][]byte
	hits  atomic.Int64
	// cut, when set, makes the server promise the full length, send half of
	// it and drop the connection.
	cut bool
}

func (o *origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.hits.Add(1)
	data, ok := o.files[filepath.Base(r.URL.Path)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if !o.cut {
		_, _ = w.Write(data)
		return
	}
	_, _ = w.Write(data[:len(data)/2])
	w.(http.Flusher).Flush()
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func serve(t *testing.T, o *origin) string {
	t.Helper()
	srv := httptest.NewServer(o)
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// entries lists every file left under dir, relative names.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDownloadVerifiesAndCaches(t *testing.T) {
	isolate(t)
	data := mnistNPZ(t)
	o := &origin{files: map[string][]byte{"mnist.npz": data}}
	url := serve(t, o)
	dir := t.TempDir()
	var progress bytes.Buffer
	opts := []datasets.MNISTOption{datasets.Dir(dir), datasets.Origin(url), datasets.Progress(&progress), datasets.SHA256("mnist.npz", sha(data))}
	train, _, err := datasets.MNIST(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	checkShape(t, "x_train", train.X, tensor.Uint8, 5, 28, 28)
	if got := entries(t, dir); len(got) != 1 || got[0] != "mnist.npz" {
		t.Errorf("cache holds %v, want only mnist.npz", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "mnist.npz")); !bytes.Equal(b, data) {
		t.Error("cached file differs from the served one")
	}
	p := progress.String()
	if !strings.Contains(p, "Downloading mnist.npz") || !strings.Contains(p, "done") || strings.Count(p, "\n") != 2 {
		t.Errorf("progress output on a non-terminal = %q, want a start and an end line", p)
	}
	// A second load reads the cache.
	if _, _, err := datasets.MNIST(context.Background(), opts...); err != nil {
		t.Fatal(err)
	}
	if n := o.hits.Load(); n != 1 {
		t.Errorf("%d requests, want 1 (the second load must use the cache)", n)
	}
}

func TestDownloadIntoKerasHome(t *testing.T) {
	isolate(t)
	kh := t.TempDir()
	t.Setenv("KERAS_HOME", kh)
	xtr, ytr := images(4, 3, 28, 28)
	xte, yte := images(2, 4, 28, 28)
	files := map[string][]byte{}
	var opts []datasets.FashionMNISTOption
	for name, x := range map[string]*tensor.Dense{
		"train-images-idx3-ubyte.gz": xtr, "train-labels-idx1-ubyte.gz": ytr,
		"t10k-images-idx3-ubyte.gz": xte, "t10k-labels-idx1-ubyte.gz": yte,
	} {
		files[name] = gzipBytes(t, idxBytes(t, x))
		opts = append(opts, datasets.SHA256(name, sha(files[name])))
	}
	url := serve(t, &origin{files: files})
	opts = append(opts, datasets.Origin(url), datasets.Progress(nil))
	if _, _, err := datasets.FashionMNIST(context.Background(), opts...); err != nil {
		t.Fatal(err)
	}
	got := entries(t, filepath.Join(kh, "datasets"))
	if len(got) != 4 || !strings.HasPrefix(got[0], "fashion-mnist"+string(filepath.Separator)) {
		t.Errorf("KERAS_HOME/datasets holds %v, want the 4 files under fashion-mnist/", got)
	}
}

func TestDownloadFailuresLeaveNoFile(t *testing.T) {
	data := mnistNPZ(t)
	closed := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return "http://" + addr + "/"
	}
	for _, c := range []struct {
		name   string
		origin func(t *testing.T) string
		opts   []datasets.MNISTOption
		want   []string
	}{
		{"wrong sha256", func(t *testing.T) string { return serve(t, &origin{files: map[string][]byte{"mnist.npz": data}}) },
			nil, []string{"sha256 ", "want 731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"}},
		{"connection cut mid-file", func(t *testing.T) string {
			return serve(t, &origin{files: map[string][]byte{"mnist.npz": data}, cut: true})
		}, []datasets.MNISTOption{datasets.SHA256("mnist.npz", sha(data))}, []string{"connection lost after"}},
		{"not found", func(t *testing.T) string { return serve(t, &origin{}) }, nil, []string{"404 Not Found"}},
		{"offline", func(t *testing.T) string { return closed() }, nil, []string{"GET", "connection refused"}},
		{"downloads off", func(t *testing.T) string { return closed() }, []datasets.MNISTOption{datasets.Download(false)}, []string{"downloads are off"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			isolate(t)
			dir := t.TempDir()
			opts := append([]datasets.MNISTOption{datasets.Dir(dir), datasets.Origin(c.origin(t)), datasets.Progress(nil)}, c.opts...)
			train, test, err := datasets.MNIST(context.Background(), opts...)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			wantPrefix := "datasets: mnist: mnist.npz not in [" + dir
			if !strings.HasPrefix(msg, wantPrefix) || !strings.Contains(msg, "] and download failed: ") {
				t.Errorf("err = %q, want it to start %q and say the download failed", msg, wantPrefix)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("err = %q, want it to contain %q", msg, w)
				}
			}
			if train.X != nil || test.X != nil {
				t.Error("data returned with the error")
			}
			if left := entries(t, dir); len(left) != 0 {
				t.Errorf("cache holds %v after a failed download, want nothing", left)
			}
		})
	}
}

func TestDownloadCancelled(t *testing.T) {
	isolate(t)
	url := serve(t, &origin{files: map[string][]byte{"mnist.npz": mnistNPZ(t)}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := datasets.MNIST(ctx, datasets.Dir(t.TempDir()), datasets.Origin(url), datasets.Progress(nil))
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("err = %v, want context canceled", err)
	}
}

func TestCIFAR10DownloadExtracts(t *testing.T) {
	isolate(t)
	archive := cifarArchive(t)
	o := &origin{files: map[string][]byte{"cifar-10-binary.tar.gz": archive}}
	url := serve(t, o)
	dir := t.TempDir()
	opts := []datasets.CIFAR10Option{datasets.Dir(dir), datasets.Origin(url), datasets.Progress(nil), datasets.SHA256("cifar-10-binary.tar.gz", sha(archive))}
	train, test, err := datasets.CIFAR10(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	checkShape(t, "x_train", train.X, tensor.Uint8, 10, 32, 32, 3)
	checkShape(t, "y_test", test.Y, tensor.Uint8, 2, 1)
	got := entries(t, dir)
	if len(got) != 6 {
		t.Errorf("cache holds %v, want the 6 batches and no archive", got)
	}
	if _, _, err := datasets.CIFAR10(context.Background(), opts...); err != nil {
		t.Fatal(err)
	}
	if n := o.hits.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	// With the authors' checksum the synthetic archive is refused, and
	// nothing is left behind.
	isolate(t)
	dir = t.TempDir()
	_, _, err = datasets.CIFAR10(context.Background(), datasets.Dir(dir), datasets.Origin(url), datasets.Progress(nil))
	if err == nil || !strings.Contains(err.Error(), "want c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd") {
		t.Errorf("err = %v, want a sha256 mismatch", err)
	}
	if left := entries(t, dir); len(left) != 0 {
		t.Errorf("cache holds %v, want nothing", left)
	}
}
