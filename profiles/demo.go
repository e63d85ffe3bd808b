package profiles

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// demo is the model kubox serves when there is no kubox.yaml: an iris
// classifier, small enough to build into the binary, with samples.
//
//go:embed demo
var demo embed.FS

// WriteDemo writes the demo profile and model into dir, replacing what an
// earlier version wrote there, and returns the profile's path.
func WriteDemo(dir string) (string, error) {
	err := fs.WalkDir(demo, "demo", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("demo", filepath.FromSlash(p))
		target := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := demo.ReadFile(p)
		if err != nil {
			return err
		}
		if old, err := os.ReadFile(target); err == nil && string(old) == string(b) {
			return nil // unchanged: keep its time, so nothing rebuilds
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		return "", fmt.Errorf("writing the demo model to %s: %w", dir, err)
	}
	return filepath.Join(dir, DefaultFile), nil
}
