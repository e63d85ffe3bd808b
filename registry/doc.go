// Package registry runs the machine's local OCI registry container and wires
// clusters to it: a containerd hosts.toml on every node and the
// kube-public/local-registry-hosting ConfigMap of KEP-1755, so that tools in and
// out of the cluster agree on where images are pushed and pulled.
//
// One registry serves every kubox cluster on the machine. Its data lives in a
// host directory, so images survive the container, and every cluster, being
// re-created.
package registry
