package ignore

import (
	"path"
	"strings"
)

// defaultNames returns the base-name globs that Defaults ignores. It is a
// function rather than a package variable so that nothing can change the
// list at run time.
func defaultNames() []string {
	return []string{
		// Version control and tool state.
		".git", ".hg", ".svn", ".idea", ".vscode", ".DS_Store",
		// Python and Jupyter by-products, rebuilt from the sources.
		"__pycache__", ".ipynb_checkpoints", "*.pyc",
		// Editors' swap, backup and lock files (vim, emacs, most IDEs);
		// 4913 is the file vim writes to test whether a directory is writable.
		"*.swp", "*.swo", "*.swx", "*~", ".#*", "#*#", "4913",
		// Downloads and copies still in flight.
		"*.tmp", "*.part", "*.crdownload",
	}
}

// Defaults reports whether rel (slash-separated, relative to the model root)
// is something that is never part of a model, whatever .kuboxignore says: the
// ignore file itself, version control metadata, editor and notebook litter,
// and partial downloads. A path under an ignored directory is ignored too. dir
// is accepted so that Defaults is a Matcher; the defaults ignore files and
// directories alike.
func Defaults(rel string, dir bool) bool {
	rel = strings.Trim(rel, "/")
	if rel == FileName {
		return true
	}
	names := defaultNames()
	for part := range strings.SplitSeq(rel, "/") {
		for _, glob := range names {
			// The globs are constants known to be well formed, so the
			// error path.Match can return never happens.
			if ok, _ := path.Match(glob, part); ok {
				return true
			}
		}
	}
	return false
}
