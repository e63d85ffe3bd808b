package profiles

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// environmentWords are parts of names that would describe where a model
// runs rather than what it is. The profile must deploy unchanged to any
// cluster, so these settings are resolved at deploy time and never get a
// field here.
func environmentWords() []string {
	return []string{
		"registry", "storageclass", "storage", "ingress", "host", "domain", "namespace",
		"pullsecret", "secret", "credential", "kubeconfig", "kubecontext", "cluster",
		"endpoint", "url",
	}
}

// environmentFields lists the fields reachable from typ whose Go or YAML
// name contains an environment word.
func environmentFields(typ reflect.Type) []string {
	var found []string
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			yamlName, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			names := strings.ToLower(f.Name + " " + yamlName)
			for _, w := range environmentWords() {
				if strings.Contains(names, w) {
					found = append(found, path+"."+f.Name)
					break
				}
			}
			walk(f.Type, path+"."+f.Name)
		}
	}
	walk(typ, typ.Name())
	return found
}

// TestProfileHasNoEnvironmentFields fails when someone adds a field that
// ties a profile to a cluster. Move such a setting to the deploy step's
// environment bindings (flags, environment variables, the cluster itself)
// instead.
func TestProfileHasNoEnvironmentFields(t *testing.T) {
	t.Parallel()
	if got := environmentFields(reflect.TypeFor[Profile]()); len(got) > 0 {
		t.Errorf("environment fields in the profile: %v; resolve these at deploy time, not in kubox.yaml", got)
	}
}

// TestEnvironmentFieldsFindsThem keeps the test above honest.
func TestEnvironmentFieldsFindsThem(t *testing.T) {
	t.Parallel()
	type pull struct {
		Secrets []string `yaml:"imagePullSecrets"`
	}
	type bad struct {
		Serving struct {
			Class string `yaml:"storageClassName"`
			Pull  *pull  `yaml:"pull"`
		} `yaml:"serving"`
		Namespace string `yaml:"ns"`
	}
	got := environmentFields(reflect.TypeFor[bad]())
	want := []string{"bad.Serving.Class", "bad.Serving.Pull.Secrets", "bad.Namespace"}
	if !slices.Equal(got, want) {
		t.Errorf("environmentFields() = %v, want %v", got, want)
	}
}
