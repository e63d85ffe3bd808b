package profiles

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"gopkg.in/yaml.v3"
)

// maxNameLength is Helm's limit on a release name, the tightest of the
// names Profile.Name becomes.
const maxNameLength = 53

// validate checks the rules the decoder cannot: values, ranges and fields
// that depend on each other. It looks only at fields that decoded cleanly,
// so that a problem is reported once.
func (p *parser) validate(pr *Profile) {
	if p.has("apiVersion") && pr.APIVersion != APIVersion {
		p.errorf("apiVersion", "want %q, got %q", APIVersion, pr.APIVersion)
	}
	if p.has("kind") && pr.Kind != KindModel {
		p.errorf("kind", "want %q, got %q", KindModel, pr.Kind)
	}
	if p.has("name") {
		if why := nameProblem(pr.Name); why != "" {
			hint := ""
			if fixed := fixName(pr.Name); nameProblem(fixed) == "" {
				hint = fmt.Sprintf(" (try %q)", fixed)
			}
			p.errorf("name", "%q %s; it names the Helm release, the Service and the model, so use up to %d lower case letters, digits and '-', starting with a letter%s", pr.Name, why, maxNameLength, hint)
		}
	}
	p.checkModel(pr)
	p.checkRuntime(pr)
	p.checkServing(&pr.Serving)
	p.checkSamples(pr.Samples)
}

// nameProblem says why s is not a DNS-1035 label of at most maxNameLength
// characters, or returns "".
func nameProblem(s string) string {
	switch {
	case s == "":
		return "is empty"
	case len(s) > maxNameLength:
		return fmt.Sprintf("is %d characters long", len(s))
	case s[0] < 'a' || s[0] > 'z':
		return "does not start with a lower case letter"
	case s[len(s)-1] == '-':
		return "ends with '-'"
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Sprintf("contains %q", r)
		}
	}
	return ""
}

// fixName turns s into the valid name the user most likely meant:
// "Iris_Classifier v2" becomes "iris-classifier-v2".
func fixName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	fixed := strings.TrimLeft(b.String(), "0123456789-")
	if len(fixed) > maxNameLength {
		fixed = fixed[:maxNameLength]
	}
	return strings.TrimRight(fixed, "-")
}

func (p *parser) checkModel(pr *Profile) {
	m := pr.Model
	if p.has("model.path") {
		p.checkRelative("model.path", m.Path)
	}
	if p.has("model.format") {
		formats := []string{string(FormatONNX), string(FormatXGBoost), string(FormatCustom)}
		switch {
		case !slices.Contains(formats, string(m.Format)):
			p.errorf("model.format", "unknown format %q%s", m.Format, choiceHint(string(m.Format), formats))
		case m.Format == FormatCustom && pr.Runtime.Builtin():
			p.errorf("model.format", "format custom needs a server: set runtime.image to a server image, or runtime.dockerfile to build one")
		}
	}
	if p.has("model.file") && !filepath.IsLocal(m.File) {
		p.errorf("model.file", "%q is not a path inside model.path; write it relative to model.path, without '..'", m.File)
	}
}

// checkRelative checks a path the profile holds relative to its directory.
func (p *parser) checkRelative(path, value string) {
	switch {
	case value == "":
		p.errorf(path, "must not be empty")
	case filepath.IsAbs(value):
		p.warnf(path, "%q is absolute, so the profile works only on this machine; write it relative to the profile's directory", value)
	}
}

func (p *parser) checkRuntime(pr *Profile) {
	r := pr.Runtime
	if p.has("runtime.image") && p.has("runtime.dockerfile") {
		p.errorf("runtime.dockerfile", "runtime.image and runtime.dockerfile are mutually exclusive: serve a prebuilt image, or build one from the Dockerfile")
	}
	if p.has("runtime.image") {
		p.checkImage(r.Image)
	}
	if p.has("runtime.dockerfile") {
		p.checkRelative("runtime.dockerfile", r.Dockerfile)
	}
	if p.has("runtime.context") {
		p.checkRelative("runtime.context", r.Context)
	}
	for _, f := range []string{"context", "buildArgs"} {
		if p.has("runtime."+f) && r.Dockerfile == "" {
			p.errorf("runtime."+f, "only applies to runtime.dockerfile, which is not set")
		}
	}
	for _, f := range []string{"command", "args", "port"} {
		if p.has("runtime."+f) && r.Builtin() {
			p.errorf("runtime."+f, "only applies with runtime.image or runtime.dockerfile; the built-in server is configured by the profile itself")
		}
	}
	if p.has("runtime.port") {
		p.checkPort("runtime.port", r.Port)
	}
	for _, k := range sortedKeys(r.BuildArgs) {
		if k == "" {
			p.errorf(fmt.Sprintf("runtime.buildArgs[%q]", k), "a build argument needs a name")
		}
	}
	seen := map[string]int{}
	for i, e := range r.Env {
		path := fmt.Sprintf("runtime.env[%d].name", i)
		if !p.has(path) {
			continue
		}
		switch first, dup := seen[e.Name]; {
		case e.Name == "":
			p.errorf(path, "must not be empty")
		case strings.Contains(e.Name, "="):
			p.errorf(path, "%q contains '='; write the value under value", e.Name)
		case dup:
			p.errorf(path, "%q is already set by runtime.env[%d]", e.Name, first)
		default:
			seen[e.Name] = i
		}
	}
}

// checkImage parses a server image reference. What it names is not looked
// up: the registry may be reachable only from the cluster.
func (p *parser) checkImage(ref string) {
	parsed, err := name.ParseReference(ref)
	if err != nil {
		p.errorf("runtime.image", "%q is not an image reference (%v); write it as [registry/]repository[:tag][@digest]", ref, err)
		return
	}
	host := parsed.Context().RegistryStr()
	if h, _, _ := strings.Cut(host, ":"); h == "localhost" || h == "127.0.0.1" || h == "[::1]" || h == "kubox-registry" {
		p.warnf("runtime.image", "%q is in a registry on this machine, which a production cluster cannot pull from; reference a registry the cluster can reach", ref)
	}
	tag, ok := parsed.(name.Tag)
	if !ok {
		return // pinned by digest
	}
	repo := ref[strings.LastIndex(ref, "/")+1:]
	switch {
	case !strings.Contains(repo, ":"):
		p.warnf("runtime.image", "%q has no tag, so it means :latest, which changes under you; pin a version or a digest so production runs what you tested", ref)
	case tag.TagStr() == "latest":
		p.warnf("runtime.image", "%q changes under you; pin a version or a digest so production runs what you tested", ref)
	}
}

func (p *parser) checkPort(path string, port int) {
	if port < 1 || port > 65535 {
		p.errorf(path, "want a port from 1 to 65535, got %d", port)
	}
}

// choiceHint completes "unknown X" for a value that must be one of choices.
func choiceHint(got string, choices []string) string {
	if s := suggest(got, choices); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return fmt.Sprintf(" (want one of %s)", strings.Join(choices, ", "))
}

func (p *parser) has(path string) bool { return p.nodes[path] != nil }

// place finds the node to report path at: its own, else its nearest
// ancestor's, else the top of the file.
func (p *parser) place(path string) *yaml.Node {
	for {
		if n := p.nodes[path]; n != nil {
			return n
		}
		if n := p.keys[path]; n != nil {
			return n
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return p.root
		}
		path = path[:i]
	}
}

func (p *parser) errorf(path, format string, args ...any) {
	p.errorAt(p.place(path), path, format, args...)
}

func (p *parser) warnf(path, format string, args ...any) {
	n := p.place(path)
	p.warns = append(p.warns, &Error{File: p.file, Line: n.Line, Column: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
