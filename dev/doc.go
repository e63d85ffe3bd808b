// Package dev is the inner loop of `kubox dev`: watch the model directory,
// and on every change build, push, upgrade, wait and verify, with the same
// packages `kubox deploy` uses. One pipeline runs at a time; a newer change
// cancels a build or push in flight (which change nothing in the cluster)
// but never an upgrade, so no release is left half-applied. A failed
// version never replaces the serving one; the loop says why and waits for
// the next save.
package dev
