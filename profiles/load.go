package profiles

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads the profile at path, checks it, including that the files it
// names exist, and fills in defaults. Relative paths in the profile resolve
// against path's directory.
//
// Warnings are notes that do not stop a deploy, formatted like errors; they
// are returned even when the profile has errors. When the profile has
// problems, the error is an ErrorList holding all of them.
func Load(path string) (*Profile, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading profile: %w", err)
	}
	return parse(data, path, filepath.Dir(path), true)
}

// Parse is Load without the filesystem: it checks data as the profile
// named filename (used in messages) whose relative paths resolve against
// dir, but does not look for the files they name.
func Parse(data []byte, filename, dir string) (*Profile, []string, error) {
	return parse(data, filename, dir, false)
}

func parse(data []byte, filename, dir string, checkFiles bool) (*Profile, []string, error) {
	p := newParser(filename)
	pr := p.decodeFile(data)
	if pr == nil {
		return nil, nil, p.errs.err()
	}
	p.validate(pr)
	if checkFiles {
		p.checkFiles(pr, dir)
	}
	if len(p.errs) > 0 {
		return nil, p.warns.lines(), p.errs.err()
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("resolving the profile's directory: %w", err)
	}
	p.applyDefaults(pr, abs)
	return pr, p.warns.lines(), nil
}

// decodeFile decodes the one YAML document in data. It returns nil when
// there is nothing to check further: an empty file, broken YAML or a
// document that is not a mapping.
func (p *parser) decodeFile(data []byte) *Profile {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		p.syntaxError(err, data)
		return nil
	}
	root := &doc
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		root = resolve(doc.Content[0])
	}
	if doc.Kind == 0 || root == &doc || isNull(root) {
		p.errs = append(p.errs, &Error{File: p.file, Msg: "the file is empty; a profile needs at least apiVersion, kind, name and model (see \"The profile\" in the README)"})
		return nil
	}
	if root.Kind != yaml.MappingNode {
		p.errorAt(root, "", "want a mapping of apiVersion, kind, name, model and so on, got %s", describe(root))
		return nil
	}
	p.root = root
	var pr Profile
	p.decode(root, reflect.ValueOf(&pr).Elem(), "")
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		p.syntaxError(err, data)
	case len(next.Content) > 0 && !isNull(next.Content[0]):
		p.errorAt(next.Content[0], "", "a profile is one YAML document; remove the '---' and what follows, or move it to its own file")
	}
	return &pr
}

// syntaxError turns a YAML parser error ("yaml: line 4: could not find
// expected ':'") into an Error at that line.
func (p *parser) syntaxError(err error, data []byte) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, after, ok := strings.Cut(rest, ": "); ok {
			if l, err := strconv.Atoi(n); err == nil {
				line, msg = l, after
			}
		}
	}
	lines := bytes.Split(data, []byte("\n"))
	if line > 0 && line <= len(lines) && bytes.Contains(lines[line-1], []byte("\t")) {
		msg += " (this line has a tab; YAML indents with spaces)"
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Path: "", Msg: "invalid YAML: " + msg})
}

// checkFiles checks that the files the profile names exist and are of the
// right kind. Messages show paths joined to dir as the caller gave it, so
// they read relative to where the user is.
func (p *parser) checkFiles(pr *Profile, dir string) {
	join := func(rel string) string {
		if filepath.IsAbs(rel) {
			return rel
		}
		return filepath.Join(dir, rel)
	}
	if p.has("model.path") && pr.Model.Path != "" {
		path := join(pr.Model.Path)
		info := p.stat("model.path", path, "the model")
		switch {
		case info == nil:
		case info.IsDir():
			if p.has("model.file") && filepath.IsLocal(pr.Model.File) {
				file := filepath.Join(path, pr.Model.File)
				if info := p.stat("model.file", file, "the model file"); info != nil && !info.Mode().IsRegular() {
					p.errorf("model.file", "%s is not a file", file)
				}
			}
		case !info.Mode().IsRegular():
			p.errorf("model.path", "%s is neither a directory nor a file", path)
		case p.has("model.file"):
			p.errorf("model.file", "model.path %s is a file; model.file picks a file inside a directory, so remove it", path)
		}
	}
	if p.has("runtime.dockerfile") && pr.Runtime.Dockerfile != "" {
		path := join(pr.Runtime.Dockerfile)
		if info := p.stat("runtime.dockerfile", path, "the Dockerfile"); info != nil && !info.Mode().IsRegular() {
			p.errorf("runtime.dockerfile", "%s is not a file", path)
		}
	}
	if p.has("runtime.context") && pr.Runtime.Context != "" {
		path := join(pr.Runtime.Context)
		if info := p.stat("runtime.context", path, "the build context"); info != nil && !info.IsDir() {
			p.errorf("runtime.context", "%s is not a directory", path)
		}
	}
}

// stat reports a file that cannot be found, saying what it should be.
func (p *parser) stat(path, file, what string) fs.FileInfo {
	info, err := os.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		p.errorf(path, "%s does not exist; point it at %s, relative to the profile's directory", file, what)
		return nil
	case err != nil:
		p.errorf(path, "%v", err)
		return nil
	}
	return info
}

// Find returns the path of the profile in dir. When there is none the
// error matches fs.ErrNotExist, so that a caller that can do without one
// (kubox up serves a demo model) can tell that case apart.
func Find(dir string) (string, error) {
	path := filepath.Join(dir, DefaultFile)
	info, err := os.Stat(path)
	switch {
	case err == nil && info.Mode().IsRegular():
		return path, nil
	case err == nil:
		return "", fmt.Errorf("%s is not a file", path)
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("looking for the profile: %w", err)
	}
	// A near miss is an error, not "no profile", so that it is not
	// silently replaced by the demo model.
	for _, other := range []string{"kubox.yml", "Kubox.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, other)); err == nil {
			return "", fmt.Errorf("found %s, but kubox reads %s: rename it", filepath.Join(dir, other), DefaultFile)
		}
	}
	return "", notFoundError{dir}
}

// notFoundError reads better than the stat error it stands for and still
// matches fs.ErrNotExist.
type notFoundError struct{ dir string }

func (e notFoundError) Error() string {
	return fmt.Sprintf("no %s in %s: write one (see \"The profile: kubox.yaml\" in the README), or name it with -f", DefaultFile, e.dir)
}

func (e notFoundError) Is(target error) bool { return target == fs.ErrNotExist }
