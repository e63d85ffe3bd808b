package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Client speaks the Open Inference Protocol v2 to a server at Base
// (http://host:port).
type Client struct {
	Base string
	HTTP *http.Client
}

// Response is an inference response.
type Response struct {
	ModelName    string           `json:"model_name"`
	ModelVersion string           `json:"model_version"`
	ID           string           `json:"id,omitempty"`
	Outputs      []ResponseTensor `json:"outputs"`
	// Raw is the response body as the server sent it.
	Raw []byte `json:"-"`
}

// ResponseTensor is one output; BOOL values arrive as 0 and 1.
type ResponseTensor struct {
	Name     string          `json:"name"`
	Datatype Datatype        `json:"datatype"`
	Shape    []int64         `json:"shape"`
	Data     []float64       `json:"-"`
	RawData  json.RawMessage `json:"data"`
}

func (c Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// Ready reports nil when the model answers ready, else why not.
func (c Client) Ready(ctx context.Context, model string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+"/v2/models/"+model+"/ready", nil)
	if err != nil {
		return err
	}
	resp, err := c.http().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("model %q is not ready: %s %s", model, resp.Status, bytes.TrimSpace(b))
	}
	return nil
}

// Infer sends an inference request (OIP JSON) and decodes the response. A
// non-200 answer is an error carrying the server's message.
func (c Client) Infer(ctx context.Context, model string, request []byte) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+"/v2/models/"+model+"/infer", bytes.NewReader(request))
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http().Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, err
	}
	return decodeResponse(resp.StatusCode, body)
}
