package scaffold

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/kubox-dev/kubox/internal/ignore"
	"github.com/kubox-dev/kubox/profiles"
	"github.com/kubox-dev/kubox/runtime"
)

// Spec is what `kubox init` is asked for.
type Spec struct {
	// Dir is the project directory, created when missing. Empty means the
	// current directory.
	Dir string
	// Name of the model; empty derives it from Dir's name.
	Name string
	// Format of the sample model to write (runtime.FormatONNX or
	// runtime.FormatXGBoost, the default), or of the model to adopt when
	// init cannot tell it from the file.
	Format string
	// Force overwrites files that exist; without it Init writes nothing
	// when any would be overwritten.
	Force bool
	// Version of the running kubox, for the CI workflow's go install;
	// empty or a development build installs the latest release.
	Version string
}

// Result says what Init did.
type Result struct {
	// Dir is the project directory, absolute.
	Dir  string
	Name string
	// Format of the model the profile names.
	Format string
	// Adopted is the model that was already there and that the profile
	// names, relative to Dir; empty when init wrote the sample model.
	Adopted string
	// Files are the files written, relative to Dir, slash-separated.
	Files []string
	// Overwritten are the Files that existed before (only with Force).
	Overwritten []string
	// Notes are what the user should know about the result.
	Notes []string
}

// ExistsError is returned when Init would overwrite files and Force is not
// set; nothing was written.
type ExistsError struct {
	Dir   string
	Files []string // relative to Dir
}

// Error names the files and what to do.
func (e *ExistsError) Error() string {
	verb, them := "exists", "it"
	if len(e.Files) > 1 {
		verb, them = "exist", "them"
	}
	return fmt.Sprintf("%s already %s in %s, so nothing was written: pass --force to overwrite %s, or run kubox init in another directory",
		strings.Join(e.Files, ", "), verb, e.Dir, them)
}

// file is one file of the plan.
type file struct {
	rel  string // slash-separated, relative to the project directory
	data []byte
}

// plan is everything Init will write.
type plan struct {
	dir   string
	files []file
	res   Result
}

// Init scaffolds a project as spec says: it plans every file, refuses to
// overwrite any unless spec.Force is set, then writes them all, or, if a
// write fails, removes what it had created.
func Init(ctx context.Context, spec Spec) (Result, error) {
	p, err := makePlan(spec)
	if err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	existing, err := p.existing()
	if err != nil {
		return Result{}, err
	}
	if len(existing) > 0 && !spec.Force {
		return Result{}, &ExistsError{Dir: p.dir, Files: existing}
	}
	if err := p.write(); err != nil {
		return Result{}, err
	}
	p.res.Overwritten = existing
	for _, f := range p.files {
		p.res.Files = append(p.res.Files, f.rel)
	}
	return p.res, nil
}

func makePlan(spec Spec) (*plan, error) {
	switch spec.Format {
	case "", runtime.FormatONNX, runtime.FormatXGBoost:
	default:
		return nil, fmt.Errorf("unknown format %q: use --format %s or --format %s (for other formats, write kubox.yaml with a custom runtime)",
			spec.Format, runtime.FormatONNX, runtime.FormatXGBoost)
	}
	dir := spec.Dir
	if dir == "" {
		dir = "."
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolving the project directory: %w", err)
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("%s is a file, not a directory: name a directory to scaffold the project in", dir)
	}
	name := spec.Name
	if name == "" {
		name = nameFor(filepath.Base(dir))
	} else if err := checkName(name); err != nil {
		return nil, err
	}

	found, err := findModels(dir)
	if err != nil {
		return nil, err
	}
	chosen, err := chooseModel(found, spec.Format)
	if err != nil {
		return nil, err
	}
	p := &plan{dir: dir, res: Result{Dir: dir, Name: name}}
	var profile profileData
	switch {
	case chosen != nil && !isSample(dir, *chosen):
		if profile, err = p.adopt(name, *chosen); err != nil {
			return nil, err
		}
	default:
		format := spec.Format
		if chosen != nil {
			format = chosen.format // init run again over its own sample
		}
		if format == "" {
			format = runtime.FormatXGBoost
		}
		if profile, err = p.sample(name, format); err != nil {
			return nil, err
		}
	}
	yaml, err := renderProfile(profile)
	if err != nil {
		return nil, fmt.Errorf("writing kubox.yaml: %w", err)
	}
	// What init writes must load; a failure here is kubox's bug, caught
	// before the user sees a broken file.
	if _, _, err := profiles.Parse(yaml, profiles.DefaultFile, dir); err != nil {
		return nil, fmt.Errorf("the kubox.yaml init made does not load (please report this): %w", err)
	}
	ignoreData, err := ignoreFile()
	if err != nil {
		return nil, err
	}
	workflow, err := renderWorkflow(spec.Version)
	if err != nil {
		return nil, fmt.Errorf("writing the CI workflow: %w", err)
	}
	p.files = append([]file{{profiles.DefaultFile, yaml}}, p.files...)
	p.files = append(p.files, file{ignore.FileName, ignoreData}, file{".github/workflows/kubox.yml", workflow})
	return p, nil
}

// sample plans kubox's iris classifier in ./model, with the first row of
// its fixture as the sample every deploy must answer.
func (p *plan) sample(name, format string) (profileData, error) {
	s, err := loadSample(format)
	if err != nil {
		return profileData{}, err
	}
	p.res.Format = format
	p.files = append(p.files, file{path.Join(modelDir, s.file), s.data})
	return profileData{Name: name, Path: "./" + modelDir, Format: format, Sample: true,
		Samples: []sampleData{{Name: "example", Inputs: s.request, Expect: s.expected, Tolerance: defaultTolerance}}}, nil
}

// isSample reports whether c is the sample model an earlier init wrote, so
// that running init again (with --force) gives the same project rather
// than adopting kubox's own sample without its expectations.
func isSample(dir string, c candidate) bool {
	s, err := loadSample(c.format)
	if err != nil || c.rel != path.Join(modelDir, s.file) {
		return false
	}
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(c.rel)))
	return err == nil && string(data) == string(s.data)
}
