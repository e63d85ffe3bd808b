package ignore

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/moby/patternmatcher"
)

// FileName is the ignore file read from the root of a model directory.
const FileName = ".kuboxignore"

// Matcher reports whether rel, a slash-separated path relative to the model
// root, is ignored; dir says whether rel is a directory, which matters for
// patterns that end in a slash. A path under an ignored directory is ignored.
type Matcher func(rel string, dir bool) bool

var _ Matcher = Defaults

// Load returns the Matcher for the model directory root: Defaults combined
// with root/.kuboxignore, if there is one. A pattern in the file cannot
// re-include what Defaults ignores.
func Load(root string) (Matcher, error) {
	file := filepath.Join(root, FileName)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return Defaults, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	rules, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s:%w", file, err)
	}
	var mu sync.Mutex
	return func(rel string, dir bool) bool {
		rel = strings.Trim(filepath.ToSlash(rel), "/")
		if Defaults(rel, dir) {
			return true
		}
		// patternmatcher documents its matchers as unsafe for concurrent
		// use, and the watcher and a build may share one Matcher.
		mu.Lock()
		defer mu.Unlock()
		return rules.ignored(rel, dir)
	}, nil
}

// rule is one pattern line of an ignore file.
type rule struct {
	negate  bool // "!pattern": re-include what an earlier rule ignored
	dirOnly bool // "pattern/": matches directories only
	// pm holds exactly one pattern, so that the rule can be matched against
	// one path on its own; gitignore's order and parent semantics are
	// applied by rules.ignored, not by patternmatcher.
	pm *patternmatcher.PatternMatcher
}

type rules []rule

// ignored applies gitignore semantics: the last rule that matches a path
// decides, and nothing can re-include a path whose parent directory is
// ignored (git never looks inside it).
func (rs rules) ignored(rel string, dir bool) bool {
	if rel == "" || rel == "." {
		return false
	}
	for i := 0; i < len(rel); i++ {
		if rel[i] == '/' && rs.matchSelf(rel[:i], true) {
			return true
		}
	}
	return rs.matchSelf(rel, dir)
}

// matchSelf applies the rules to rel alone, not to its parents.
func (rs rules) matchSelf(rel string, dir bool) bool {
	for i := len(rs) - 1; i >= 0; i-- {
		r := rs[i]
		if r.dirOnly && !dir {
			continue
		}
		// With a single pattern and no parent match, this is an exact
		// match of rel; the deprecation is about carrying one bool for
		// many patterns, which this does not do. The pattern was checked
		// when it was compiled, so no error is possible here.
		if ok, _ := r.pm.MatchesUsingParentResult(rel, false); ok {
			return !r.negate
		}
	}
	return false
}

// parse reads gitignore syntax. patternmatcher implements .dockerignore
// globs, which differ from gitignore in ways handled here: a pattern without
// a slash matches at any depth, a trailing slash restricts it to
// directories, "!" and "#" can be escaped, trailing spaces are dropped unless
// escaped, and "[!...]" negates a character class.
func parse(data []byte) (rules, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var rs rules
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		line = trimTrailingSpaces(line)
		var r rule
		if line[0] == '!' {
			r.negate = true
			line = line[1:]
		}
		if strings.HasSuffix(line, "/") {
			r.dirOnly = true
			line = strings.TrimRight(line, "/")
		}
		if line == "" {
			continue
		}
		if strings.Contains(line, "/") {
			line = strings.TrimPrefix(line, "/")
		} else {
			line = "**/" + line
		}
		line = strings.ReplaceAll(line, "[!", "[^")
		pm, err := patternmatcher.New([]string{line})
		if err == nil {
			// Compile now, so that a bad pattern is reported by Load
			// rather than silently matching nothing later.
			_, err = pm.MatchesUsingParentResult("", false)
		}
		if err != nil {
			return nil, fmt.Errorf("%d: bad pattern: %w: fix or delete the line", n+1, err)
		}
		r.pm = pm
		rs = append(rs, r)
	}
	return rs, nil
}

// trimTrailingSpaces drops trailing spaces as git does, keeping one that is
// escaped with a backslash. patternmatcher trims spaces itself, so an escaped
// one becomes a character class that it leaves alone.
func trimTrailingSpaces(line string) string {
	trimmed := strings.TrimRight(line, " ")
	if len(trimmed) < len(line) && strings.HasSuffix(trimmed, `\`) && !strings.HasSuffix(trimmed, `\\`) {
		return trimmed[:len(trimmed)-1] + "[ ]"
	}
	return trimmed
}
