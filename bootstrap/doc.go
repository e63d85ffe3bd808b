// Package bootstrap creates, converges, describes and deletes a local
// cluster with everything kubox needs around it: the kind cluster, the
// machine's registry wired into every node, and a retained StorageClass whose
// volumes live in a host directory and survive the cluster.
//
// Apply is declarative: it reads what exists, changes only what differs and
// reads again, so a second run changes nothing. It never deletes registry
// contents or volumes to repair drift.
package bootstrap
