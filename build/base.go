package build

import (
	"debug/elf"
	"fmt"
	"os"
	"runtime"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Runtime base layout: the kubox binary, run as a non-root user.
const (
	binaryPath = "kubox"
	nonRoot    = "65532:65532"
	// ServePort is the port `kubox serve` listens on in the image.
	ServePort = 8080
)

// HostPlatform is the platform this kubox binary was built for.
func HostPlatform() v1.Platform { return HostPlatformFor(runtime.GOOS, runtime.GOARCH) }

// HostPlatformFor returns the platform of an os/architecture pair.
func HostPlatformFor(os, arch string) v1.Platform { return v1.Platform{OS: os, Architecture: arch} }

// SelfBase returns the runtime base assembled from exe, a Linux build of
// kubox: an image holding only that binary, whose entrypoint is
// `kubox serve`, running as a non-root user. It fails when exe cannot run
// in an empty image (another platform, or linked against the C library).
func (b *Builder) SelfBase(exe string, p v1.Platform) (v1.Image, error) {
	if p.OS != "linux" {
		return nil, fmt.Errorf("the cluster's nodes run %s/%s, and the built-in server runs on Linux nodes only: serve the model with a runtime image instead", p.OS, p.Architecture)
	}
	if err := checkStatic(exe, p); err != nil {
		return nil, err
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return nil, fmt.Errorf("reading the kubox binary: %w", err)
	}
	bin := fileEntry(exe, binaryPath, fi)
	bin.mode = 0o755
	layer, err := newFileLayer([]entry{bin}, &b.cache)
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), layer)
	if err != nil {
		return nil, err
	}
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Created = v1.Time{Time: epoch}
	cf.Config = v1.Config{
		Entrypoint:   []string{"/" + binaryPath, "serve"},
		User:         nonRoot,
		WorkingDir:   "/",
		ExposedPorts: map[string]struct{}{fmt.Sprintf("%d/tcp", ServePort): {}},
	}
	return mutate.ConfigFile(img, cf)
}

// checkStatic refuses binaries that cannot run in an image holding nothing
// else: those for another architecture and those that need a dynamic loader.
func checkStatic(exe string, p v1.Platform) error {
	f, err := elf.Open(exe)
	if err != nil {
		return fmt.Errorf("the kubox binary %s is not a Linux executable (%v), so it cannot serve in the cluster: %s", exe, err, crossHint(p))
	}
	defer f.Close()
	arch := map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64", elf.EM_386: "386", elf.EM_ARM: "arm", elf.EM_RISCV: "riscv64", elf.EM_PPC64: "ppc64le", elf.EM_S390: "s390x"}[f.Machine]
	if arch != p.Architecture {
		return fmt.Errorf("the cluster's nodes are %s, but the kubox binary %s is %s: %s", p.Architecture, exe, arch, crossHint(p))
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return fmt.Errorf("the kubox binary %s is dynamically linked, so it cannot serve from a minimal image: rebuild it with CGO_ENABLED=0 (`make build` does), or %s", exe, crossHint(p))
		}
	}
	return nil
}

// crossHint says how a host whose kubox cannot run on the nodes serves
// models anyway.
func crossHint(p v1.Platform) string {
	return fmt.Sprintf("build kubox for the nodes (GOOS=linux GOARCH=%s CGO_ENABLED=0 go build -o kubox-linux ./cmd/kubox) and set KUBOX_RUNTIME_BINARY=./kubox-linux, or set KUBOX_RUNTIME_IMAGE to a kubox runtime image", p.Architecture)
}
