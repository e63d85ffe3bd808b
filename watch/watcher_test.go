package watch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// These tests use real fsnotify on real directories and the real clock.

const waitLimit = 10 * time.Second

// run starts a Watcher on root and stops it when the test ends, failing the
// test if Run did not return nil.
func run(t *testing.T, root string, opts Options) *Watcher {
	t.Helper()
	w, err := New(root, opts)
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run() = %v, want nil", err)
		}
	})
	return w
}

// next waits for the next set and checks its paths.
func next(t *testing.T, w *Watcher, want ...string) Change {
	t.Helper()
	select {
	case c, ok := <-w.Changes():
		if !ok {
			t.Fatal("Changes() closed, want a set")
		}
		if !slices.Equal(c.Paths, want) {
			t.Errorf("Paths = %q, want %q", c.Paths, want)
		}
		if c.First.IsZero() || c.Ready.Before(c.First) {
			t.Errorf("First = %v, Ready = %v, want First set and not after Ready", c.First, c.Ready)
		}
		return c
	case <-time.After(waitLimit):
		t.Fatalf("no set within %v, want %q", waitLimit, want)
	}
	return Change{}
}

// none fails if a set arrives within d.
func none(t *testing.T, w *Watcher, d time.Duration) {
	t.Helper()
	select {
	case c := <-w.Changes():
		t.Fatalf("got a set %q, want none", c.Paths)
	case <-time.After(d):
	}
}

func write(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestWatchAtomicSaves(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "model.py", "v1")
	w := run(t, root, Options{})

	// Most editors and tools: a temporary file renamed over the original.
	write(t, root, "model.py.new", "v2")
	mustDo(t, os.Rename(filepath.Join(root, "model.py.new"), filepath.Join(root, "model.py")))
	next(t, w, "model.py")

	// vim's default: test file 4913, move the original to a backup, write
	// anew, delete the backup.
	write(t, root, "4913", "")
	mustDo(t, os.Remove(filepath.Join(root, "4913")))
	mustDo(t, os.Rename(filepath.Join(root, "model.py"), filepath.Join(root, "model.py~")))
	write(t, root, "model.py", "v3")
	mustDo(t, os.Remove(filepath.Join(root, "model.py~")))
	next(t, w, "model.py")
}

func TestWatchInPlaceRewrite(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "src/predict.py", "v1")
	w := run(t, root, Options{})
	write(t, root, "src/predict.py", "v2, longer")
	next(t, w, "src/predict.py")

	f, err := os.OpenFile(filepath.Join(root, "src/predict.py"), os.O_APPEND|os.O_WRONLY, 0)
	mustDo(t, err)
	_, err = f.WriteString("appended")
	mustDo(t, errors.Join(err, f.Close()))
	next(t, w, "src/predict.py")
}

func TestWatchNewDirectories(t *testing.T) {
	t.Parallel()
	root, elsewhere := t.TempDir(), t.TempDir()
	w := run(t, root, Options{})

	// A tree moved in whole: its files existed long before any watch.
	write(t, elsewhere, "v2/weights/model.onnx", "w")
	write(t, elsewhere, "v2/config.json", "{}")
	mustDo(t, os.Rename(filepath.Join(elsewhere, "v2"), filepath.Join(root, "v2")))
	next(t, w, "v2", "v2/config.json", "v2/weights", "v2/weights/model.onnx")

	// The new directories are watched from then on.
	write(t, root, "v2/weights/model.onnx", "w2")
	next(t, w, "v2/weights/model.onnx")

	// A tree made in place, faster than watches can be added.
	write(t, root, "a/b/c/d.txt", "d")
	next(t, w, "a", "a/b", "a/b/c", "a/b/c/d.txt")
}

func TestWatchDeletesAndRenames(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "model.onnx", "m")
	write(t, root, "data/x.csv", "x")
	write(t, root, "data/sub/y.csv", "y")
	w := run(t, root, Options{})

	mustDo(t, os.Remove(filepath.Join(root, "model.onnx")))
	next(t, w, "model.onnx")

	mustDo(t, os.Rename(filepath.Join(root, "data"), filepath.Join(root, "data2")))
	next(t, w, "data", "data2", "data2/sub", "data2/sub/y.csv", "data2/x.csv")
	// The old watches were dropped: changes come under the new name only.
	write(t, root, "data2/sub/y.csv", "y2")
	next(t, w, "data2/sub/y.csv")

	mustDo(t, os.RemoveAll(filepath.Join(root, "data2")))
	next(t, w, "data2", "data2/sub", "data2/sub/y.csv", "data2/x.csv")

	// A directory made again under an old name is watched again.
	write(t, root, "data2/sub/z.csv", "z")
	next(t, w, "data2", "data2/sub", "data2/sub/z.csv")
	write(t, root, "data2/sub/z.csv", "z2")
	next(t, w, "data2/sub/z.csv")
}

func TestWatchIgnoresLitter(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "model.py", "v1")
	write(t, root, "src/predict.py", "p")
	write(t, root, ".git/HEAD", "ref")
	w := run(t, root, Options{})

	for _, rel := range []string{
		".model.py.swp", ".model.py.swx", "model.py~", "#model.py#", ".#model.py", "4913",
		"__pycache__/model.cpython-312.pyc", "src/__pycache__/x.pyc", "model.pyc",
		".ipynb_checkpoints/nb-checkpoint.ipynb", ".git/objects/ab/cd", ".git/HEAD",
		".DS_Store", "weights.bin.part", "weights.bin.crdownload", "out.tmp",
		".idea/workspace.xml", ".vscode/settings.json",
	} {
		write(t, root, rel, "litter")
	}
	none(t, w, 500*time.Millisecond)

	// Litter next to a real change leaves only the change.
	write(t, root, "__pycache__/model.cpython-312.pyc", "again")
	write(t, root, "model.py", "v2")
	write(t, root, ".model.py.swp", "again")
	next(t, w, "model.py")
}

func TestWatchKuboxignore(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, ".kuboxignore", "# training output\ndata/\n*.ckpt\n")
	write(t, root, "data/x.csv", "x")
	write(t, root, "model.py", "v1")
	w := run(t, root, Options{})

	write(t, root, "data/x.csv", "x2")
	write(t, root, "data/new/y.csv", "y")
	write(t, root, "epoch1.ckpt", "c")
	none(t, w, 500*time.Millisecond)
	write(t, root, "model.py", "v2")
	next(t, w, "model.py")

	// Checkpoints stop being ignored: the one there enters the model, and
	// later writes to it are changes.
	write(t, root, ".kuboxignore", "data/\n")
	next(t, w, "epoch1.ckpt")
	write(t, root, "epoch1.ckpt", "c2")
	next(t, w, "epoch1.ckpt")

	// data/ stops being ignored: all of it enters, and is watched.
	mustDo(t, os.Remove(filepath.Join(root, ".kuboxignore")))
	next(t, w, "data", "data/new", "data/new/y.csv", "data/x.csv")
	write(t, root, "data/new/y.csv", "y2")
	next(t, w, "data/new/y.csv")

	// And ignored again: it leaves, and is no longer watched.
	write(t, root, ".kuboxignore", "data\n")
	next(t, w, "data")
	write(t, root, "data/new/y.csv", "y3")
	none(t, w, 500*time.Millisecond)

	// A broken file keeps the rules in force.
	write(t, root, ".kuboxignore", "data\n[\n")
	write(t, root, "data/x.csv", "x3")
	none(t, w, 500*time.Millisecond)
}

func TestWatchBurstOfSaves(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	w := run(t, root, Options{})
	// Ten saves within 200 ms, some atomic, some in place.
	for i := range 10 {
		content := strings.Repeat("x", i+1)
		if i%2 == 0 {
			write(t, root, "model.py", content)
		} else {
			write(t, root, "model.py.new", content)
			mustDo(t, os.Rename(filepath.Join(root, "model.py.new"), filepath.Join(root, "model.py")))
		}
		time.Sleep(20 * time.Millisecond)
	}
	sets := 1
	next(t, w, "model.py")
	select {
	case c := <-w.Changes():
		sets++
		if !slices.Equal(c.Paths, []string{"model.py"}) {
			t.Errorf("second set Paths = %q, want [model.py]", c.Paths)
		}
	case <-time.After(time.Second):
	}
	none(t, w, 500*time.Millisecond)
	t.Logf("ten saves gave %d set(s)", sets)
}

func TestWatchSlowGrowingFile(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	quiet := 200 * time.Millisecond
	w := run(t, root, Options{Quiet: quiet})

	chunk := make([]byte, 1<<20)
	f, err := os.Create(filepath.Join(root, "weights.bin"))
	mustDo(t, err)
	defer f.Close()
	start := time.Now()
	const chunks = 24
	for i := range chunks {
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
		// Mostly short pauses; every sixth one longer than the quiet
		// period, though shorter than two.
		pause := 40 * time.Millisecond
		if i%6 == 5 {
			pause = quiet + quiet/2
		}
		select {
		case c := <-w.Changes():
			t.Fatalf("after %d MiB: got a set %q while the file was growing", i+1, c.Paths)
		case <-time.After(pause):
		}
	}
	done := time.Now()
	c := next(t, w, "weights.bin")
	info, err := os.Stat(filepath.Join(root, "weights.bin"))
	mustDo(t, err)
	if info.Size() != chunks<<20 {
		t.Errorf("size when the set arrived = %d, want %d", info.Size(), chunks<<20)
	}
	if c.Ready.Before(done) {
		t.Errorf("set ready %v after the start, before the writer finished at %v", c.Ready.Sub(start), done.Sub(start))
	}
	none(t, w, 3*quiet)
}
