// Package dockerx connects to the Docker engine the way every kubox command
// needs: from the environment, negotiating the API version (engines as old as
// API 1.41 are common on Linux), with errors that say how to fix the problem.
package dockerx

import (
	"context"
	"fmt"
	"os/exec"

	"github.com/docker/docker/client"
)

// Connect returns a client for the engine named by DOCKER_HOST (or the
// default socket) after checking that the engine answers and that the docker
// CLI, which the kind library drives, is installed.
func Connect(ctx context.Context) (*client.Client, error) {
	c, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("configuring the Docker client: %w (check DOCKER_HOST)", err)
	}
	if _, err := c.Ping(ctx); err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("cannot reach Docker at %s: is Docker running? Start Docker Desktop, or run `sudo systemctl start docker` on Linux, then retry", c.DaemonHost())
	}
	if _, err := exec.LookPath("docker"); err != nil {
		c.Close()
		return nil, fmt.Errorf("the docker command is not on PATH; kubox needs the Docker CLI next to the engine: install it (https://docs.docker.com/engine/install/) and retry")
	}
	return c, nil
}
