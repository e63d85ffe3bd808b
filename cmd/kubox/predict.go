package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/kubox-dev/kubox/deploy"
	"github.com/kubox-dev/kubox/runtime"
	"github.com/urfave/cli/v2"
)

func predictCommand() *cli.Command {
	return &cli.Command{
		Name:  "predict",
		Usage: "send one inference request (Open Inference Protocol v2) to the model's Service",
		Flags: modelFlags(
			&cli.StringFlag{Name: "data", Aliases: []string{"d"}, Usage: "the request as JSON, or - to read it from stdin (default: the profile's first sample)"},
		),
		Action: func(c *cli.Context) error {
			out := newOutput(c)
			p, err := loadProfile(c, out, true)
			if err != nil {
				return err
			}
			var req []byte
			switch data := c.String("data"); data {
			case "":
				if len(p.Samples) == 0 {
					return fmt.Errorf("profile %q has no samples: pass a request with --data", p.Name)
				}
				req = deploy.SampleRequest(p.Samples[0])
			case "-":
				if req, err = io.ReadAll(c.App.Reader); err != nil {
					return err
				}
			default:
				req = []byte(data)
			}
			if !json.Valid(req) {
				return errors.New("the request is not valid JSON: see `kubox predict --help` for its shape")
			}
			var resp []byte
			if addr := devAddr(c, p.Name); addr != "" {
				// kubox dev serves it on a stable local port already.
				r, err := runtime.Client{Base: "http://" + addr}.Infer(c.Context, p.Name, req)
				if err != nil {
					return fmt.Errorf("model %q: %w", p.Name, err)
				}
				resp = r.Raw
			} else {
				d, err := deploy.New(target(c), out.log)
				if err != nil {
					return err
				}
				if resp, err = d.Predict(c.Context, p.Name, req); err != nil {
					return err
				}
			}
			// As the server sent it, on one line: ready for jq.
			_, err = out.stdout.Write(append(bytes.TrimSpace(resp), '\n'))
			return err
		},
	}
}
