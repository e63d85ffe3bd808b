// Package deploy ships a model to a cluster: the image is built and pushed
// (package build), the embedded model-serving chart is upgraded (or
// installed) with the Helm SDK, the new pods are awaited through the API's
// watch, and the new version is verified: its ready endpoint, then the
// profile's sample requests. A version that fails any of these is rolled
// back; with maxUnavailable 0 the previous version serves throughout.
package deploy
