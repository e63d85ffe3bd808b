package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/kubox-dev/kubox/bootstrap"
	"github.com/kubox-dev/kubox/dev"
	"github.com/kubox-dev/kubox/internal/progress"
	"github.com/kubox-dev/kubox/profiles"
	"github.com/urfave/cli/v2"
)

func devCommand() *cli.Command {
	return &cli.Command{
		Name:  "dev",
		Usage: "watch the model and redeploy it on every save; serve it on a stable local port",
		Description: "Deploys the profile, then on every change to its directory builds, pushes what changed,\n" +
			"upgrades, waits for the new pods and verifies them. A version that fails is rolled back and the\n" +
			"previous one keeps serving; the next good save recovers. Ctrl-C stops (exit 130); the release stays\n" +
			"unless --cleanup.",
		Flags: modelFlags(
			&cli.IntFlag{Name: "port", Aliases: []string{"p"}, Usage: fmt.Sprintf("local port that forwards to the serving pod (default: the first free from %d)", dev.DefaultPort)},
			&cli.BoolFlag{Name: "logs", Value: true, Usage: "stream the pods' logs (--logs=false: do not)"},
			&cli.BoolFlag{Name: "cleanup", Usage: "remove the release when dev stops"},
			&cli.DurationFlag{Name: "quiet-period", Value: 100 * time.Millisecond, Usage: "how long the model directory must be still before a rebuild"},
		),
		Action: func(c *cli.Context) error {
			out := newOutput(c)
			path, err := profilePath(c)
			if err != nil {
				return err
			}
			p, warnings, err := profiles.Load(path)
			if err != nil {
				return err
			}
			for _, w := range warnings {
				out.log.Warn(w)
			}
			s, err := shipper(c, out)
			if err != nil {
				return err
			}
			// The loop prints one line per cycle; the phases only with -v.
			s.Progress = progress.New(c.App.ErrWriter, !c.Bool("verbose"))
			l := &dev.Loop{
				Shipper: s, ProfilePath: path, Progress: out.progress, Log: out.log,
				Port: c.Int("port"), Logs: c.Bool("logs"), Cleanup: c.Bool("cleanup"), Quiet: c.Duration("quiet-period"),
				StateFile: devStateFile(c, p.Name),
				Serving: func(addr string) {
					fmt.Fprintf(out.stdout, "serving   http://%s/v2/models/%s/infer (kubox predict uses it while dev runs)\n", addr, p.Name)
				},
			}
			return l.Run(c.Context)
		},
	}
}

// devStateFile is where a running `kubox dev` announces its local port.
func devStateFile(c *cli.Context, model string) string {
	spec, err := bootstrap.Spec{DataDir: c.String("data-dir")}.Resolved()
	if err != nil {
		return ""
	}
	t := target(c)
	return filepath.Join(spec.DataDir, "dev", t.Context+"."+t.Namespace+"."+model+".json")
}

// devAddr returns the local address of a `kubox dev` serving model, or "".
func devAddr(c *cli.Context, model string) string {
	b, err := os.ReadFile(devStateFile(c, model))
	if err != nil {
		return ""
	}
	var st struct {
		Addr string `json:"addr"`
		PID  int    `json:"pid"`
	}
	if json.Unmarshal(b, &st) != nil || st.PID <= 0 || syscall.Kill(st.PID, 0) != nil {
		return ""
	}
	return st.Addr
}
