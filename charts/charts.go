package charts

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/ignore"
)

// modelServingRoot is the chart's directory inside modelServingFS.
const modelServingRoot = "model-serving"

// modelServingFS is the chart's source. all: because Helm's partials (_helpers.tpl) start with
// an underscore and .helmignore with a dot, which go:embed leaves out otherwise.
//
//go:embed all:model-serving
var modelServingFS embed.FS

// ModelServing returns the embedded model-serving chart, loaded the way `helm install
// ./charts/model-serving` loads it: .helmignore applies, and values.schema.json is kept so
// installs validate their values against it. Each call returns a fresh chart the caller may
// change.
func ModelServing() (*chart.Chart, error) {
	files, err := chartFiles(modelServingFS, modelServingRoot)
	if err != nil {
		return nil, fmt.Errorf("reading the embedded %s chart: %w", modelServingRoot, err)
	}
	c, err := loader.LoadFiles(files)
	if err != nil {
		return nil, fmt.Errorf("loading the embedded %s chart: %w", modelServingRoot, err)
	}
	return c, nil
}

// chartFiles reads the chart under root with names relative to it, as Helm's loader expects
// ("Chart.yaml", "templates/_helpers.tpl"), skipping what .helmignore and Helm's defaults skip.
func chartFiles(fsys fs.FS, root string) ([]*loader.BufferedFile, error) {
	rules := ignore.Empty()
	if data, err := fs.ReadFile(fsys, path.Join(root, ignore.HelmIgnore)); err == nil {
		if rules, err = ignore.Parse(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("parsing %s: %w", ignore.HelmIgnore, err)
		}
	}
	rules.AddDefaults()

	var files []*loader.BufferedFile
	err := fs.WalkDir(fsys, root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name == root {
			return nil
		}
		rel := name[len(root)+1:]
		info, err := d.Info()
		if err != nil {
			return err
		}
		if rules.Ignore(rel, info) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		files = append(files, &loader.BufferedFile{Name: rel, Data: data})
		return nil
	})
	return files, err
}
