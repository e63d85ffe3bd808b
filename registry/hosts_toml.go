package registry

import (
	"fmt"
	"path"
)

// CertsDir is the containerd config_path every node is configured with.
const CertsDir = "/etc/containerd/certs.d"

// HostsFiles returns the containerd host configuration a node needs so that
// both names of the registry resolve to the registry container over plain
// HTTP: localhost:<port> (the name the host pushes to, which pods may use
// unchanged) and <name>:5000 (the name on the cluster network). Keys are paths
// relative to CertsDir.
func HostsFiles(s Spec) map[string]string {
	body := fmt.Sprintf("# written by kubox: pulls go to the %s container on the cluster network\n[host.%q]\n  capabilities = [\"pull\", \"resolve\"]\n",
		s.Name, "http://"+s.ClusterHost())
	return map[string]string{
		path.Join(s.Host(), "hosts.toml"):        body,
		path.Join(s.ClusterHost(), "hosts.toml"): body,
	}
}
