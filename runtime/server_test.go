package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// sumModel adds its two features per row. It exists to test the server's
// protocol handling; the real formats are tested against library outputs.
type sumModel struct{}

func (sumModel) Inputs() []TensorSpec {
	return []TensorSpec{{Name: "x", Datatype: FP32, Shape: []int64{-1, 2}}}
}
func (sumModel) Outputs() []TensorSpec {
	return []TensorSpec{{Name: "sum", Datatype: FP32, Shape: []int64{-1}}, {Name: "count", Datatype: INT64, Shape: []int64{1}}}
}
func (sumModel) Infer(_ context.Context, in []Tensor) ([]Tensor, error) {
	x := in[0]
	rows := x.Shape[0]
	if rows == 0 {
		return nil, errors.New("empty batch")
	}
	sum := Tensor{Name: "sum", Datatype: FP32, Shape: []int64{rows}, Data: make([]float64, rows)}
	for r := int64(0); r < rows; r++ {
		sum.Data[r] = x.Data[2*r] + x.Data[2*r+1]
	}
	return []Tensor{sum, {Name: "count", Datatype: INT64, Shape: []int64{1}, Data: []float64{float64(rows)}}}, nil
}

func newTestServer(t *testing.T, opts ServerOptions) (*Server, *httptest.Server) {
	t.Helper()
	if opts.Name == "" {
		opts.Name, opts.Version, opts.Platform = "adder", "v1", "test"
	}
	s := NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts
}

func call(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func TestServerReadiness(t *testing.T) {
	t.Parallel()
	s, ts := newTestServer(t, ServerOptions{})
	steps := []struct {
		name   string
		do     func()
		path   string
		status int
	}{
		{"live while loading", nil, "/v2/health/live", 200},
		{"not ready while loading", nil, "/v2/health/ready", 503},
		{"model not ready while loading", nil, "/v2/models/adder/ready", 503},
		{"ready once loaded", func() { s.SetModel(sumModel{}) }, "/v2/health/ready", 200},
		{"model ready once loaded", nil, "/v2/models/adder/ready", 200},
		{"version ready", nil, "/v2/models/adder/versions/v1/ready", 200},
		{"unknown version", nil, "/v2/models/adder/versions/v9/ready", 404},
		{"unknown model", nil, "/v2/models/other/ready", 404},
		{"not ready while draining", func() { s.Drain() }, "/v2/models/adder/ready", 503},
		{"still live while draining", nil, "/v2/health/live", 200},
	}
	for _, st := range steps {
		if st.do != nil {
			st.do()
		}
		if code, body := call(t, "GET", ts.URL+st.path, ""); code != st.status {
			t.Errorf("%s: GET %s = %d %s, want %d", st.name, st.path, code, body, st.status)
		}
	}
	// A draining server still answers the requests that reach it.
	if code, body := call(t, "POST", ts.URL+"/v2/models/adder/infer", `{"inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,2]}]}`); code != 200 {
		t.Errorf("infer while draining = %d %s", code, body)
	}
}

func TestServerInfer(t *testing.T) {
	t.Parallel()
	s, ts := newTestServer(t, ServerOptions{MaxRequestBytes: 4096})
	s.SetModel(sumModel{})
	x := func(datatype, shape, data string) string {
		return `{"id":"r1","inputs":[{"name":"x","datatype":"` + datatype + `","shape":` + shape + `,"data":` + data + `}]}`
	}
	tests := []struct {
		name, path, body string
		status           int
		want             string
	}{
		{"flat data", "/v2/models/adder/infer", x("FP32", "[2,2]", "[0.1,0.2,1,2]"), 200,
			`{"model_name":"adder","model_version":"v1","id":"r1","outputs":[{"name":"sum","datatype":"FP32","shape":[2],"data":[0.3,3]},{"name":"count","datatype":"INT64","shape":[1],"data":[2]}]}`},
		{"nested data", "/v2/models/adder/versions/v1/infer", x("FP32", "[2,2]", "[[1,2],[3,4]]"), 200, `"data":[3,7]`},
		{"output selection", "/v2/models/adder/infer", `{"inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,1]}],"outputs":[{"name":"count"}]}`, 200,
			`"outputs":[{"name":"count","datatype":"INT64","shape":[1],"data":[1]}]`},
		{"unknown output", "/v2/models/adder/infer", `{"inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,1]}],"outputs":[{"name":"nope"}]}`, 400, `unknown output \"nope\"`},
		{"wrong datatype", "/v2/models/adder/infer", x("FP64", "[1,2]", "[1,2]"), 400, `input \"x\" is FP64, model \"adder\" wants FP32`},
		{"wrong rank", "/v2/models/adder/infer", x("FP32", "[2]", "[1,2]"), 400, "rank 1, want rank 2"},
		{"wrong width", "/v2/models/adder/infer", x("FP32", "[1,3]", "[1,2,3]"), 400, "does not match"},
		{"data does not fill shape", "/v2/models/adder/infer", x("FP32", "[2,2]", "[1,2,3]"), 400, "3 values, but shape [2 2] holds 4"},
		{"string in data", "/v2/models/adder/infer", x("FP32", "[1,2]", `[1,"a"]`), 400, "data holds a"},
		{"unsupported datatype", "/v2/models/adder/infer", x("BYTES", "[1,2]", `[1,2]`), 400, "not supported"},
		{"missing input", "/v2/models/adder/infer", `{"inputs":[]}`, 400, `input \"x\" is missing`},
		{"unknown input", "/v2/models/adder/infer", `{"inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,2]},{"name":"y","datatype":"FP32","shape":[1],"data":[1]}]}`, 400, `unknown input \"y\"`},
		{"not JSON", "/v2/models/adder/infer", `{"inputs":`, 400, "not a valid inference request"},
		{"too large", "/v2/models/adder/infer", x("FP32", "[1,2]", "[1,2"+strings.Repeat(",0", 3000)+"]"), 413, "larger than 4096 bytes"},
		{"unknown model", "/v2/models/other/infer", x("FP32", "[1,2]", "[1,2]"), 404, `unknown model \"other\"`},
		{"model failure", "/v2/models/adder/infer", x("FP32", "[0,2]", "[]"), 500, "inference failed: empty batch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := call(t, "POST", ts.URL+tt.path, tt.body)
			if code != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("POST %s = %d %s, want %d containing %s", tt.path, code, body, tt.status, tt.want)
			}
			if code != 200 {
				var e map[string]string
				if err := json.Unmarshal([]byte(body), &e); err != nil || e["error"] == "" {
					t.Errorf("error body = %s, want {\"error\": ...}", body)
				}
			}
		})
	}
}

func TestServerMetadataAndMetrics(t *testing.T) {
	t.Parallel()
	var logBuf bytes.Buffer
	s, ts := newTestServer(t, ServerOptions{Name: "adder", Version: "v1", Platform: "test", InferenceLog: &logBuf})
	s.SetModel(sumModel{})
	code, body := call(t, "GET", ts.URL+"/v2/models/adder", "")
	want := `{"inputs":[{"name":"x","datatype":"FP32","shape":[-1,2]}],"name":"adder","outputs":[{"name":"sum","datatype":"FP32","shape":[-1]},{"name":"count","datatype":"INT64","shape":[1]}],"platform":"test","versions":["v1"]}`
	if code != 200 || body != want {
		t.Errorf("metadata = %d %s\nwant %s", code, body, want)
	}
	if code, body := call(t, "GET", ts.URL+"/v2", ""); code != 200 || !strings.Contains(body, `"name":"kubox"`) {
		t.Errorf("server metadata = %d %s", code, body)
	}
	call(t, "POST", ts.URL+"/v2/models/adder/infer", `{"inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,2]}]}`)
	call(t, "POST", ts.URL+"/v2/models/adder/infer", `{"inputs":[]}`)
	_, metrics := call(t, "GET", ts.URL+"/metrics", "")
	for _, want := range []string{
		`kubox_inference_requests_total{model="adder",status="200"} 1`,
		`kubox_inference_requests_total{model="adder",status="400"} 1`,
		`kubox_inference_request_duration_seconds_count{model="adder",status="200"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if n := strings.Count(logBuf.String(), "\n"); n != 2 || !strings.Contains(logBuf.String(), `"status":400`) {
		t.Errorf("inference log = %q, want two lines", logBuf.String())
	}
}
