//go:build windows

package bootstrap

import "context"

// lockMachine is a no-op where flock does not exist; parallel runs there
// rely on the registry's own conflict handling.
func lockMachine(context.Context, string) (func(), error) { return func() {}, nil }
