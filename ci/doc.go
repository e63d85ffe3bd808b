// Package ci runs a command against an ephemeral cluster (`kubox ci run`):
// a uniquely named kubox cluster sharing the machine's registry, the
// profile deployed to it, the command run with KUBECONFIG and the model's
// endpoint in its environment, and the cluster always torn down after:
// when the command passes or fails, on SIGINT or SIGTERM, on kubox's own
// error. Every cluster carries an expiry, so `kubox prune` reaps one whose
// kubox process was killed before it could clean up.
package ci
