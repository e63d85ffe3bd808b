// Package e2e holds kubox's end-to-end tests: the kubox binary against real
// Docker, kind, the registry and (later) Helm. They run with `make e2e`
// (build tag e2e) and share one cluster where they can, since each cluster
// costs about 20 s and 1 GB.
package e2e
