package build

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/jsonmessage"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	archive "github.com/moby/go-archive"
	"github.com/moby/patternmatcher/ignorefile"
)

// Engine is the part of the Docker engine API that builds and pushes
// images from Dockerfiles.
type Engine interface {
	ImageBuild(ctx context.Context, context io.Reader, opts build.ImageBuildOptions) (build.ImageBuildResponse, error)
	ImagePush(ctx context.Context, ref string, opts image.PushOptions) (io.ReadCloser, error)
}

// Dockerfile is a custom server to build with the Docker engine.
type Dockerfile struct {
	// Path of the Dockerfile; it must be inside Context.
	Path string
	// Context is the build context directory; its .dockerignore applies.
	Context   string
	BuildArgs map[string]string
	// Platform the image is built for, such as linux/amd64.
	Platform string
}

// BuildDockerfile builds the custom server with the Docker engine, tags it
// ref and pushes it there, so that the model layers can be appended to it
// without sending it through kubox: the engine pushes only the layers the
// registry lacks, and the registry keeps them in the model's repository.
// log receives the build's output.
func BuildDockerfile(ctx context.Context, e Engine, df Dockerfile, ref string, log io.Writer) error {
	rel, err := filepath.Rel(df.Context, df.Path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return fmt.Errorf("the Dockerfile %s is outside its build context %s: move it into the context, or set runtime.context", df.Path, df.Context)
	}
	excludes, err := dockerignore(df.Context)
	if err != nil {
		return err
	}
	tar, err := archive.TarWithOptions(df.Context, &archive.TarOptions{ExcludePatterns: excludes})
	if err != nil {
		return fmt.Errorf("reading the build context %s: %w", df.Context, err)
	}
	defer tar.Close()
	args := make(map[string]*string, len(df.BuildArgs))
	for k, v := range df.BuildArgs {
		args[k] = &v
	}
	resp, err := e.ImageBuild(ctx, tar, build.ImageBuildOptions{
		Dockerfile: filepath.ToSlash(rel), Tags: []string{ref}, BuildArgs: args,
		Remove: true, Platform: df.Platform, Labels: map[string]string{"dev.kubox.managed": "true"},
	})
	if err != nil {
		return fmt.Errorf("building %s: %w", df.Path, err)
	}
	defer resp.Body.Close()
	if err := jsonmessage.DisplayJSONMessagesStream(resp.Body, log, 0, false, nil); err != nil {
		return fmt.Errorf("building %s: %w", df.Path, err)
	}
	auth, err := registryAuth(ref)
	if err != nil {
		return err
	}
	rc, err := e.ImagePush(ctx, ref, image.PushOptions{RegistryAuth: auth})
	if err != nil {
		return fmt.Errorf("pushing %s: %w", ref, err)
	}
	defer rc.Close()
	if err := jsonmessage.DisplayJSONMessagesStream(rc, io.Discard, 0, false, nil); err != nil {
		return fmt.Errorf("pushing %s: %w", ref, err)
	}
	return nil
}

// dockerignore reads the context's .dockerignore, if any.
func dockerignore(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, ".dockerignore"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ignorefile.ReadAll(f)
}

// registryAuth encodes the user's credentials for ref's registry, from the
// same Docker configuration and credential helpers kubox pushes with, in
// the form the engine's push API takes.
func registryAuth(ref string) (string, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return "", err
	}
	a, err := authn.DefaultKeychain.Resolve(r.Context().Registry)
	if err != nil {
		return "", fmt.Errorf("finding credentials for %s: %w", r.Context().RegistryStr(), err)
	}
	cfg, err := a.Authorization()
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(map[string]string{"username": cfg.Username, "password": cfg.Password,
		"identitytoken": cfg.IdentityToken, "registrytoken": cfg.RegistryToken, "serveraddress": r.Context().RegistryStr()})
	if err != nil {
		return "", err
	}
	return base64.URLEncoding.EncodeToString(b), nil
}
