package bootstrap

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"time"

	"github.com/kubox-dev/kubox/registry"
	kinddefaults "sigs.k8s.io/kind/pkg/apis/config/defaults"
)

// Defaults a user sees in --help.
const (
	DefaultName          = "kubox"
	DefaultRegistryName  = "kubox-registry"
	DefaultRegistryImage = "registry:2"
	DefaultRegistryPort  = 5001
	DefaultWait          = 5 * time.Minute
	// DefaultNodeImage is the node image of the kind release kubox is built with.
	DefaultNodeImage = kinddefaults.Image
	kindNetwork      = "kind"
)

// Spec is what a user asks of a local cluster.
type Spec struct {
	// Name of the cluster; the kube context is kind-<Name> (kind) or
	// <Name> (minikube).
	Name string
	// Provider makes the cluster: kind (the default) or minikube.
	Provider string
	// NodeImage for every node; empty means DefaultNodeImage.
	NodeImage string
	// Workers is the number of worker nodes besides the control plane.
	Workers int
	// Registry is the machine's registry; zero fields take defaults.
	Registry registry.Spec
	// DataDir holds what outlives clusters: registry data and volumes.
	// Empty means $XDG_DATA_HOME/kubox (~/.local/share/kubox).
	DataDir string
	// Kubeconfig is the file to add the cluster's context to; empty means
	// $KUBECONFIG or ~/.kube/config, as kubectl does.
	Kubeconfig string
	// Wait bounds how long Apply waits for nodes to become Ready.
	Wait time.Duration
	// Expires, when set, makes the cluster ephemeral: `kubox prune`
	// removes it after this time.
	Expires time.Time
}

// nameRE is a DNS label: the name becomes part of container and host names.
var nameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// maxNameLen leaves room for "-control-plane" and "-worker99" in a 63-byte host name.
const maxNameLen = 40

// ValidateName rejects a cluster name before anything is created.
func ValidateName(name string) error {
	if !nameRE.MatchString(name) || len(name) > maxNameLen {
		return fmt.Errorf("invalid cluster name %q: use up to %d lower-case letters, digits and '-', starting and ending with a letter or digit (for example --name kubox-dev)", name, maxNameLen)
	}
	return nil
}

// Resolved returns the spec with every empty field filled and checks it.
func (s Spec) Resolved() (Spec, error) {
	if s.Name == "" {
		s.Name = DefaultName
	}
	switch s.Provider {
	case "":
		s.Provider = ProviderKind
	case ProviderKind, ProviderMinikube:
	default:
		return s, fmt.Errorf("unknown provider %q: use --provider kind or --provider minikube", s.Provider)
	}
	if err := ValidateName(s.Name); err != nil {
		return s, err
	}
	if s.Workers < 0 || s.Workers > 9 {
		return s, fmt.Errorf("--workers %d is out of range: use 0 to 9", s.Workers)
	}
	if s.NodeImage == "" && s.Provider == ProviderKind {
		s.NodeImage = DefaultNodeImage // minikube picks its own base image
	}
	if s.DataDir == "" {
		dir, err := defaultDataDir()
		if err != nil {
			return s, err
		}
		s.DataDir = dir
	}
	if s.Wait == 0 {
		s.Wait = DefaultWait
	}
	r := &s.Registry
	if r.Name == "" {
		r.Name = DefaultRegistryName
	}
	if r.Image == "" {
		r.Image = DefaultRegistryImage
	}
	if r.Port == 0 {
		r.Port = DefaultRegistryPort
	}
	if r.DataDir == "" {
		r.DataDir = filepath.Join(s.DataDir, "registry")
	}
	if r.Network == "" {
		r.Network = kindNetwork
		if s.Provider == ProviderMinikube {
			r.Network = s.Name // minikube gives each profile a network of its name
		}
	}
	if r.User == "" && runtime.GOOS == "linux" {
		// The registry writes into a host directory: as the user, so that
		// the user can remove it without root.
		r.User = fmt.Sprintf("%d:%d", os.Getuid(), os.Getgid())
	}
	return s, r.Validate()
}

// defaultDataDir follows the XDG base directory specification.
func defaultDataDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "kubox"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding a data directory: %w (set XDG_DATA_HOME)", err)
	}
	return filepath.Join(home, ".local", "share", "kubox"), nil
}

// StorageDir is the host directory behind the cluster's kubox-retain volumes.
func (s Spec) StorageDir() string { return filepath.Join(s.DataDir, "clusters", s.Name, "storage") }

// Context is the kube context the provider gives the cluster.
func (s Spec) Context() string {
	if s.Provider == ProviderMinikube {
		return s.Name
	}
	return "kind-" + s.Name
}
