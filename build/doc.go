// Package build turns a model directory into an OCI image without a Docker
// daemon, as ko and crane do: the runtime base (kubox itself, `kubox serve`)
// plus layers holding the model under /models/<name>, appended with
// go-containerregistry, and pushes only the blobs a registry lacks.
//
// Images are reproducible: the same directory gives the same digest (fixed
// timestamps and owners, sorted entries). Layers are uncompressed, since
// model weights do not compress and compressing only costs time. Large
// files get layers of their own so that changing one pushes only that one.
package build
