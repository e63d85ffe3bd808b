package registry

import (
	"errors"
	"fmt"
)

// ContainerPort is the port the registry listens on inside its container and
// on the cluster network.
const ContainerPort = 5000

// Labels mark the Docker objects kubox owns.
const (
	LabelManaged = "dev.kubox.managed"
	LabelRole    = "dev.kubox.role"
	LabelCluster = "dev.kubox.cluster"
)

// Spec describes the machine's registry.
type Spec struct {
	// Name of the container; nodes reach the registry at Name:5000.
	Name string
	// Image the registry runs, such as registry:2.
	Image string
	// Port published on 127.0.0.1 only; the host pushes to localhost:Port.
	Port int
	// DataDir is the host directory holding the registry's storage.
	DataDir string
	// Network is the Docker network the cluster nodes are on.
	Network string
	// User the registry process runs as ("uid:gid"), so that the files in
	// DataDir belong to the user who can then remove them; empty keeps the
	// image's user.
	User string
}

// Host is where the host pushes and pulls: localhost:Port.
func (s Spec) Host() string { return fmt.Sprintf("localhost:%d", s.Port) }

// ClusterHost is where nodes and pods reach the registry on the cluster network.
func (s Spec) ClusterHost() string { return fmt.Sprintf("%s:%d", s.Name, ContainerPort) }

// Validate reports the first field that cannot work.
func (s Spec) Validate() error {
	switch {
	case s.Name == "" || s.Image == "" || s.DataDir == "" || s.Network == "":
		return errors.New("registry name, image, data directory and network must be set")
	case s.Port < 1 || s.Port > 65535:
		return fmt.Errorf("registry port %d is out of range: choose a port between 1024 and 65535 with --registry-port", s.Port)
	}
	return nil
}
