package build

import (
	"path"
	"strings"
)

// DefaultIgnore leaves out what is never part of a model: version control,
// Python caches, notebook checkpoints, editor swap and backup files, and
// temporary files.
func DefaultIgnore(rel string, dir bool) bool {
	base := path.Base(rel)
	switch base {
	case ".git", ".hg", ".svn", "__pycache__", ".ipynb_checkpoints", ".DS_Store", ".kuboxignore", ".idea", ".vscode":
		return true
	}
	if dir {
		return false
	}
	for _, suffix := range []string{".swp", ".swo", ".swx", ".tmp", ".pyc", "~"} {
		if strings.HasSuffix(base, suffix) {
			return true
		}
	}
	return strings.HasPrefix(base, ".#") || (strings.HasPrefix(base, "#") && strings.HasSuffix(base, "#"))
}
