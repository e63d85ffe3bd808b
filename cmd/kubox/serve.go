package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/kubox-dev/kubox/runtime"
	"github.com/urfave/cli/v2"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "serve a model over the Open Inference Protocol v2 (what runs in the pod)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "model-name", EnvVars: []string{"KUBOX_MODEL_NAME"}, Required: true, Usage: "the model's name in /v2/models/{name}"},
			&cli.StringFlag{Name: "model-format", EnvVars: []string{"KUBOX_MODEL_FORMAT"}, Required: true, Usage: "onnx or xgboost"},
			&cli.StringFlag{Name: "model-path", EnvVars: []string{"KUBOX_MODEL_PATH"}, Required: true, Usage: "model file, or directory holding it"},
			&cli.StringFlag{Name: "model-version", EnvVars: []string{"KUBOX_MODEL_VERSION"}, Value: "1", Usage: "version reported to clients"},
			&cli.IntFlag{Name: "port", EnvVars: []string{"KUBOX_PORT"}, Value: 8080, Usage: "port to listen on"},
			&cli.StringFlag{Name: "address", EnvVars: []string{"KUBOX_ADDRESS"}, Usage: "address to listen on (default: all interfaces)"},
			&cli.Int64Flag{Name: "max-request-bytes", EnvVars: []string{"KUBOX_MAX_REQUEST_BYTES"}, Value: runtime.DefaultMaxRequestBytes, Usage: "largest request body accepted"},
			&cli.StringFlag{Name: "inference-log", EnvVars: []string{"KUBOX_INFERENCE_LOG"}, Usage: "append one JSON line per inference request to this file"},
			&cli.DurationFlag{Name: "drain-delay", EnvVars: []string{"KUBOX_DRAIN_DELAY"}, Value: 2 * time.Second, Usage: "after a stop signal, how long to keep answering (closing kept-alive connections) before shutting down"},
			&cli.StringFlag{Name: "samples", EnvVars: []string{"KUBOX_SAMPLES"}, Usage: "JSON list of samples that must pass before the server reports ready"},
		},
		Action: func(c *cli.Context) error {
			out := newOutput(c)
			var samples []runtime.Sample
			if js := c.String("samples"); js != "" {
				if err := json.Unmarshal([]byte(js), &samples); err != nil {
					return fmt.Errorf("--samples is not a JSON list of samples: %w", err)
				}
			}
			return runtime.Run(c.Context, out.log, runtime.Options{
				Name: c.String("model-name"), Format: c.String("model-format"), Path: c.String("model-path"),
				Version: c.String("model-version"), Addr: fmt.Sprintf("%s:%d", c.String("address"), c.Int("port")),
				MaxRequestBytes: c.Int64("max-request-bytes"), InferenceLog: c.String("inference-log"), Samples: samples,
				DrainDelay: c.Duration("drain-delay"),
			})
		},
	}
}
