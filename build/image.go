package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// Builder builds model images. It remembers the digests of files it has
// read, so rebuilding after a change reads only what changed. The zero value
// is ready to use; a Builder is safe for one build at a time.
type Builder struct {
	cache digestCache
}

// Model is what goes into a model image.
type Model struct {
	// Name and Format of the model; they become the server's settings.
	Name, Format string
	// Path is the model directory (or file) on the host.
	Path string
	// File names the model file inside Path when Path holds several.
	File string
	// Ignore leaves matching paths (relative to Path, slash-separated) out.
	Ignore func(rel string, dir bool) bool
}

// ModelsDir is where model files live in the image: /models/<name>.
const ModelsDir = "models"

// Result is a built image.
type Result struct {
	Image  v1.Image
	Digest v1.Hash
	// Version identifies the model's content: the same files give the same
	// version whatever the base. The server reports it as model_version.
	Version string
	// ModelBytes is the size of the model layers.
	ModelBytes int64
}

// Build appends the model to base and sets the server's configuration.
func (b *Builder) Build(ctx context.Context, m Model, base v1.Image) (Result, error) {
	dst := path.Join(ModelsDir, m.Name)
	plan, err := planLayers(m.Path, dst, m.Ignore)
	if err != nil {
		return Result{}, err
	}
	var res Result
	layers := make([]v1.Layer, 0, len(plan))
	version := sha256.New()
	for _, entries := range plan {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		l, err := newFileLayer(entries, &b.cache)
		if err != nil {
			return Result{}, err
		}
		layers = append(layers, l)
		res.ModelBytes += l.size
		version.Write([]byte(l.digest.Hex))
	}
	res.Version = hex.EncodeToString(version.Sum(nil))[:12]

	img, err := mutate.AppendLayers(base, layers...)
	if err != nil {
		return Result{}, fmt.Errorf("adding model layers: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return Result{}, err
	}
	cf = cf.DeepCopy()
	modelPath := "/" + dst
	if m.File != "" {
		modelPath = path.Join(modelPath, m.File)
	}
	cf.Config.Env = append(cf.Config.Env,
		"KUBOX_MODEL_NAME="+m.Name,
		"KUBOX_MODEL_FORMAT="+m.Format,
		"KUBOX_MODEL_PATH="+modelPath,
		"KUBOX_MODEL_VERSION="+res.Version,
	)
	cf.Config.Labels = map[string]string{"dev.kubox.model": m.Name, "dev.kubox.model.version": res.Version}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return Result{}, err
	}
	res.Image = img
	if res.Digest, err = img.Digest(); err != nil {
		return Result{}, err
	}
	return res, nil
}
