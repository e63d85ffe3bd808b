package main

import (
	"fmt"
	"io"

	"github.com/kubox-dev/kubox/deploy"
	"github.com/urfave/cli/v2"
)

func deployCommand() *cli.Command {
	return &cli.Command{
		Name:  "deploy",
		Usage: "build, push, upgrade and verify the model once",
		Description: "Builds the model image, pushes only what the registry lacks, upgrades the Helm release,\n" +
			"waits for the new pods and runs the profile's samples against them. A version that fails\n" +
			"is rolled back, and the previous one serves throughout.",
		Flags: modelFlags(),
		Action: func(c *cli.Context) error {
			return ship(c, newOutput(c), false)
		},
	}
}

// ship deploys the profile (or the demo model, when allowed and there is
// no profile) and prints where it serves.
func ship(c *cli.Context, out output, allowDemo bool) error {
	p, err := loadProfile(c, out, allowDemo)
	if err != nil {
		return err
	}
	s, err := shipper(c, out)
	if err != nil {
		return err
	}
	shipped, err := s.Ship(c.Context, p)
	if err != nil {
		return err
	}
	printShipped(out.stdout, s, p.Name, shipped)
	return nil
}

// printShipped prints where the model serves.
func printShipped(w io.Writer, s *deploy.Shipper, model string, sh deploy.Shipped) {
	ns := s.Deployer.Target.Namespace
	fmt.Fprintf(w, "model     %s version %s (image %s)\n", model, sh.Version, sh.Image)
	fmt.Fprintf(w, "endpoint  http://%s.%s.svc/v2/models/%s/infer (in the cluster; `kubox predict` from here)\n", model, ns, model)
}
