package bootstrap

import (
	"github.com/kubox-dev/kubox/registry"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
)

// storageMount is where the host storage directory appears in every node:
// inside the local-path provisioner's base directory, so the kubox-retain
// class reaches it with a path pattern alone.
const (
	provisionerBase = "/var/local-path-provisioner"
	storageSubdir   = "kubox"
	storageMount    = provisionerBase + "/" + storageSubdir
)

// containerdPatch makes containerd read per-registry hosts.toml files, which
// is how every node learns where the local registry is.
const containerdPatch = `[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "` + registry.CertsDir + `"
`

// KindConfig returns the kind cluster configuration for s: every node runs
// s.NodeImage, mounts the storage directory and reads registry hosts from
// the certs.d directory.
func KindConfig(s Spec) *v1alpha4.Cluster {
	node := func(role v1alpha4.NodeRole) v1alpha4.Node {
		return v1alpha4.Node{
			Role:        role,
			Image:       s.NodeImage,
			ExtraMounts: []v1alpha4.Mount{{HostPath: s.StorageDir(), ContainerPath: storageMount}},
			Labels:      map[string]string{registry.LabelManaged: "true"},
		}
	}
	c := &v1alpha4.Cluster{
		TypeMeta:                v1alpha4.TypeMeta{Kind: "Cluster", APIVersion: "kind.x-k8s.io/v1alpha4"},
		Name:                    s.Name,
		Nodes:                   []v1alpha4.Node{node(v1alpha4.ControlPlaneRole)},
		ContainerdConfigPatches: []string{containerdPatch},
	}
	for range s.Workers {
		c.Nodes = append(c.Nodes, node(v1alpha4.WorkerRole))
	}
	return c
}
