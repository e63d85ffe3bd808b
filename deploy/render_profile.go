package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/kubox-dev/kubox/build"
	"github.com/kubox-dev/kubox/profiles"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// RenderProfile returns exactly the manifests a deploy of p would apply,
// with the image by the digest a deploy would push: the image is built
// (nothing is pushed) to know it. Without a cluster (Deployer nil) the
// nodes are taken to run this machine's architecture.
func (s *Shipper) RenderProfile(ctx context.Context, p *profiles.Profile, namespace string) (string, error) {
	if p.Runtime.Dockerfile != "" {
		return "", errors.New("the image of a Dockerfile runtime is only known once the Docker engine has built and pushed it: use `kubox deploy`, or a prebuilt runtime.image")
	}
	if problems := portability(p, s.Env); len(problems) > 0 {
		return "", fmt.Errorf("%s would not work on this cluster:\n  - %s", p.Name, strings.Join(problems, "\n  - "))
	}
	base, err := s.runtimeBase(ctx, p)
	if err != nil {
		return "", err
	}
	skip, err := modelIgnore(p.Model.Path)
	if err != nil {
		return "", err
	}
	img, err := s.builder.Build(ctx, build.Model{Name: p.Name, Format: string(p.Model.Format), Path: p.Model.Path, File: p.Model.File, Ignore: skip}, base)
	if err != nil {
		return "", fmt.Errorf("building %s: %w", p.Name, err)
	}
	ref := path.Join(s.Env.Registry.Pull, "kubox", p.Name) + "@" + img.Digest.String()
	manifest, err := Render(ctx, p.Name, namespace, Values(p, ref, s.Env))
	if err != nil {
		return "", err
	}
	if strings.Contains(manifest, "hostPath:") && !s.Env.Local {
		return "", errors.New("the manifests mount a hostPath, which only works on one machine")
	}
	return manifest, nil
}

// ManifestJSON turns a multi-document YAML manifest into a JSON List.
func ManifestJSON(manifest string) ([]byte, error) {
	dec := utilyaml.NewDocumentDecoder(io.NopCloser(strings.NewReader(manifest)))
	defer dec.Close()
	buf := make([]byte, len(manifest)+1)
	var items []json.RawMessage
	for {
		n, err := dec.Read(buf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		doc := bytes.TrimSpace(buf[:n])
		if len(doc) == 0 || bytes.Equal(doc, []byte("---")) {
			continue
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, err
		}
		if string(j) != "null" {
			items = append(items, j)
		}
	}
	return json.MarshalIndent(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, "", "  ")
}
