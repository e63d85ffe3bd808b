package build

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// entry is one file or directory in a layer.
type entry struct {
	src  string // host path; empty for a directory
	dst  string // path in the image, without a leading slash
	mode fs.FileMode
	size int64
	mod  int64 // host modification time (ns), for the digest cache only
}

// ownLayerBytes is the size from which a file gets a layer of its own: a
// change to it then pushes only it, and a change elsewhere pushes none of it.
const ownLayerBytes = 1 << 20

// planLayers lists the files under root (a directory, or one file) that
// belong in the image at dst, and groups them into layers: each file of at
// least ownLayerBytes alone, every smaller file together in the first layer.
// Every layer repeats the directories above its files so that it stands on
// its own. Files that ignore matches are left out.
func planLayers(root, dst string, ignore func(rel string, dir bool) bool) ([][]entry, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("reading model path: %w", err)
	}
	var files []entry
	if !info.IsDir() {
		files = append(files, fileEntry(root, path.Join(dst, filepath.Base(root)), info))
	} else {
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			if rel == "." {
				return nil
			}
			rel = filepath.ToSlash(rel)
			if ignore != nil && ignore(rel, d.IsDir()) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() || !d.Type().IsRegular() {
				return nil // directories come from the files' paths; no symlinks or devices
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			files = append(files, fileEntry(p, path.Join(dst, rel), fi))
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading model directory: %w", err)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("model path %s holds no files: put the model file there", root)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].dst < files[j].dst })

	var small []entry
	var layers [][]entry
	for _, f := range files {
		if f.size >= ownLayerBytes {
			layers = append(layers, withParents([]entry{f}))
		} else {
			small = append(small, f)
		}
	}
	if len(small) > 0 {
		layers = append([][]entry{withParents(small)}, layers...)
	}
	return layers, nil
}

func fileEntry(src, dst string, fi fs.FileInfo) entry {
	mode := fs.FileMode(0o644)
	if fi.Mode()&0o111 != 0 {
		mode = 0o755
	}
	return entry{src: src, dst: dst, mode: mode, size: fi.Size(), mod: fi.ModTime().UnixNano()}
}

// withParents precedes sorted files with every directory above them.
func withParents(files []entry) []entry {
	seen := map[string]bool{}
	var out []entry
	for _, f := range files {
		var dirs []string
		for d := path.Dir(f.dst); d != "." && d != "/" && !seen[d]; d = path.Dir(d) {
			seen[d] = true
			dirs = append(dirs, d)
		}
		for i := len(dirs) - 1; i >= 0; i-- {
			out = append(out, entry{dst: dirs[i], mode: fs.ModeDir | 0o755})
		}
		out = append(out, f)
	}
	return out
}

// describe renders a plan for tests and logs.
func describe(layers [][]entry) string {
	var b strings.Builder
	for i, l := range layers {
		fmt.Fprintf(&b, "layer %d\n", i)
		for _, e := range l {
			if e.src == "" {
				fmt.Fprintf(&b, "  %s/ %v\n", e.dst, e.mode)
			} else {
				fmt.Fprintf(&b, "  %s %v %d\n", e.dst, e.mode, e.size)
			}
		}
	}
	return b.String()
}
