package ignore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rel  string
		dir  bool
		want bool
	}{
		{"git directory", ".git", true, true},
		{"file inside git", ".git/objects/ab/cdef", false, true},
		{"git file of a worktree", "sub/.git", false, true},
		{"mercurial", ".hg", true, true},
		{"subversion", "a/.svn/entries", false, true},
		{"pycache", "src/__pycache__", true, true},
		{"inside pycache", "src/__pycache__/predict.cpython-312.pyc", false, true},
		{"notebook checkpoints", "nb/.ipynb_checkpoints/x-checkpoint.ipynb", false, true},
		{"finder metadata", "data/.DS_Store", false, true},
		{"jetbrains", ".idea/workspace.xml", false, true},
		{"vscode", ".vscode", true, true},
		{"ignore file itself", ".kuboxignore", false, true},
		{"vim swap", ".model.py.swp", false, true},
		{"vim swap 2", "src/.model.py.swo", false, true},
		{"vim swap 3", ".model.py.swx", false, true},
		{"backup", "model.py~", false, true},
		{"emacs lock", ".#model.py", false, true},
		{"emacs autosave", "#model.py#", false, true},
		{"vim write test", "4913", false, true},
		{"vim write test in subdir", "src/4913", false, true},
		{"temp file", "weights.bin.tmp", false, true},
		{"partial download", "weights.bin.part", false, true},
		{"chrome download", "weights.bin.crdownload", false, true},
		{"compiled python", "predict.pyc", false, true},
		{"leading slash tolerated", "/.git", true, true},
		{"model file", "model.onnx", false, false},
		{"python source", "src/predict.py", false, false},
		{"profile", "kubox.yaml", false, false},
		{"nested ignore file is content", "sub/.kuboxignore", false, false},
		{"number other than 4913", "4914", false, false},
		{"tilde inside the name", "a~b.txt", false, false},
		{"hash inside the name", "a#b#", false, false},
		{"git prefix only", ".github/workflows/ci.yaml", false, false},
		{"pyc as a directory name part", "pyc/model.bin", false, false},
		{"root", "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Defaults(tt.rel, tt.dir); got != tt.want {
				t.Errorf("Defaults(%q, %v) = %v, want %v", tt.rel, tt.dir, got, tt.want)
			}
		})
	}
}

// kuboxignore exercises the gitignore syntax. The expectations in
// TestLoad were checked against `git check-ignore --no-index` with the same
// file as .gitignore.
const kuboxignore = "\ufeff# comment\r\n" + `*.log
!keep.log
/build
data/raw/
checkpoints/
**/scratch
docs/**/*.md
run-?.txt
\#literal
\!bang
*.ckpt
!best.ckpt
out/
!out/keep.txt
c++
model(1).bin
[!a]x.cfg
trailing-space.txt   
cache
!cache/
weights/**
!weights/**/
*.bin
!models
!*.tmp

`

func TestLoad(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, FileName), []byte(kuboxignore), 0o644); err != nil {
		t.Fatal(err)
	}
	ignored, err := Load(root)
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	for _, tt := range loadCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ignored(tt.rel, tt.dir); got != tt.want {
				t.Errorf("Load()(%q, %v) = %v, want %v", tt.rel, tt.dir, got, tt.want)
			}
		})
	}
}

type loadCase struct {
	name string
	rel  string
	dir  bool
	want bool
}

// loadCases is the table for TestLoad, one path at a time against the
// kuboxignore file above.
func loadCases() []loadCase {
	return []loadCase{
		{"comment is not a pattern", "# comment", false, false},
		{"glob at the root", "app.log", false, true},
		{"glob at any depth", "logs/app.log", false, true},
		{"negation", "keep.log", false, false},
		{"negation at any depth", "logs/keep.log", false, false},
		{"anchored directory", "build", true, true},
		{"under anchored directory", "build/x.onnx", false, true},
		{"anchored does not match deeper", "src/build", true, false},
		{"under unmatched deeper directory", "src/build/x.onnx", false, false},
		{"directory pattern with a slash inside", "data/raw", true, true},
		{"under it", "data/raw/a.csv", false, true},
		{"directory pattern skips files", "data/raw", false, false},
		{"slash inside anchors", "src/data/raw", true, false},
		{"under the unanchored lookalike", "src/data/raw/a.csv", false, false},
		{"prefix is not a match", "data/rawfile", false, false},
		{"trailing slash at the root", "checkpoints", true, true},
		{"trailing slash at any depth", "nested/checkpoints", true, true},
		{"under nested directory", "nested/checkpoints/c.pt", false, true},
		{"trailing slash skips files", "other/checkpoints", false, false},
		{"leading double star deep", "a/b/scratch", true, true},
		{"leading double star at the root", "scratch", false, true},
		{"middle double star, zero directories", "docs/x.md", false, true},
		{"middle double star, two directories", "docs/a/b/x.md", false, true},
		{"middle double star is anchored", "other/docs/x.md", false, false},
		{"middle double star keeps the suffix", "docs/x.txt", false, false},
		{"question mark is one character", "run-1.txt", false, true},
		{"question mark is not two", "run-10.txt", false, false},
		{"escaped hash", "#literal", false, true},
		{"escaped bang", "!bang", false, true},
		{"extension", "model.ckpt", false, true},
		{"extension negated", "best.ckpt", false, false},
		{"no re-include under an ignored directory", "out/keep.txt", false, true},
		{"under ignored directory", "out/other.txt", false, true},
		{"regexp metacharacters are literal", "c++", false, true},
		{"parentheses are literal", "model(1).bin", false, true},
		{"parentheses are not a group", "model1.bin.txt", false, false},
		{"negated class matches", "bx.cfg", false, true},
		{"negated class excludes", "ax.cfg", false, false},
		{"trailing spaces dropped", "trailing-space.txt", false, true},
		{"file named like a re-included directory", "cache", false, true},
		{"re-included directory", "cache", true, false},
		{"file in re-included directory", "cache/a.onnx", false, false},
		{"trailing double star, file", "weights/a.safetensors", false, true},
		{"trailing double star, deep file", "weights/sub/a.safetensors", false, true},
		{"directory re-included by a later rule", "weights/sub", true, false},
		{"negating a directory does not re-include its files", "models/a.bin", false, true},
		{"negated directory itself", "models", true, false},
		{"defaults cannot be re-included", "x.tmp", false, true},
		{"defaults still apply", "src/__pycache__/a.pyc", false, true},
		{"model source", "src/predict.py", false, false},
		{"model file", "model.onnx", false, false},
		{"root", "", true, false},
	}
}

func TestLoadWithoutFile(t *testing.T) {
	t.Parallel()
	ignored, err := Load(t.TempDir())
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if !ignored("a/.b.swp", false) || ignored("model.onnx", false) {
		t.Errorf("Load() without %s does not behave as Defaults", FileName)
	}
}

func TestLoadBadPattern(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, FileName), []byte("*.log\n[\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(root)
	if err == nil {
		t.Fatal("Load() error = nil, want one for the malformed pattern")
	}
	for _, want := range []string{FileName + ":2:", "fix or delete"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Load() error = %q, want it to contain %q", err, want)
		}
	}
}

func TestLoadUnreadable(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	// A directory where the file should be cannot be read as one.
	if err := os.Mkdir(filepath.Join(root, FileName), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(root); err == nil {
		t.Error("Load() error = nil, want one for an unreadable ignore file")
	}
}
