package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxRequestBytes bounds an inference request body.
const DefaultMaxRequestBytes = 32 << 20

// Server serves one model over the Open Inference Protocol v2 (REST).
type Server struct {
	name, version, platform string
	maxBody                 int64
	timeout                 time.Duration
	log                     *slog.Logger
	metrics                 *metrics
	inferenceLog            io.Writer
	logMu                   sync.Mutex

	model    atomic.Pointer[modelBox] // nil until loaded
	draining atomic.Bool
}

type modelBox struct{ Model }

// ServerOptions configure a Server; zero values take defaults.
type ServerOptions struct {
	// Name is the model's name in /v2/models/{name}.
	Name string
	// Version is reported in responses and accepted in /versions/{v} paths.
	Version string
	// Platform names the model format in metadata, such as "xgboost_json".
	Platform string
	// MaxRequestBytes bounds a request body (DefaultMaxRequestBytes).
	MaxRequestBytes int64
	// InferenceTimeout bounds one inference (30 s).
	InferenceTimeout time.Duration
	// InferenceLog, when set, receives one JSON line per inference request.
	InferenceLog io.Writer
}

// NewServer returns a server for the model named in opts; it answers
// "not ready" until SetModel is called.
func NewServer(log *slog.Logger, opts ServerOptions) *Server {
	s := &Server{name: opts.Name, version: opts.Version, platform: opts.Platform,
		maxBody: opts.MaxRequestBytes, timeout: opts.InferenceTimeout, log: log,
		metrics: newMetrics(), inferenceLog: opts.InferenceLog}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxRequestBytes
	}
	if s.timeout <= 0 {
		s.timeout = 30 * time.Second
	}
	return s
}

// SetModel makes the server ready to serve m.
func (s *Server) SetModel(m Model) { s.model.Store(&modelBox{m}) }

// Drain makes the server report not ready, so that load balancers stop
// sending it requests, while it goes on answering those that still come.
func (s *Server) Drain() { s.draining.Store(true) }

func (s *Server) ready() (Model, bool) {
	b := s.model.Load()
	if b == nil || s.draining.Load() {
		return nil, false
	}
	return b.Model, true
}

// Handler routes the protocol's endpoints.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/health/live", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]bool{"live": true})
	})
	mux.HandleFunc("GET /v2/health/ready", func(w http.ResponseWriter, r *http.Request) {
		_, ok := s.ready()
		writeJSON(w, statusFor(ok), map[string]bool{"ready": ok})
	})
	mux.HandleFunc("GET /v2", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"name": "kubox", "version": s.version, "extensions": []string{}})
	})
	for _, prefix := range []string{"/v2/models/{model}", "/v2/models/{model}/versions/{version}"} {
		mux.HandleFunc("GET "+prefix, s.withModel(s.metadata))
		mux.HandleFunc("GET "+prefix+"/ready", s.modelReady)
		mux.HandleFunc("POST "+prefix+"/infer", s.withModel(s.infer))
	}
	mux.Handle("GET /metrics", s.metrics.handler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no endpoint %s %s: see /v2/models/%s", r.Method, r.URL.Path, s.name))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(&closingWriter{ResponseWriter: w, s: s}, r)
	})
}

// closingWriter adds "Connection: close" to answers written while the
// server drains, including those to requests that arrived before: each
// client on a kept-alive connection learns from its next answer to
// reconnect (to another pod), where closing idle connections from this
// side would race with a request being sent.
type closingWriter struct {
	http.ResponseWriter
	s       *Server
	written bool
}

func (c *closingWriter) WriteHeader(code int) {
	if !c.written && c.s.draining.Load() {
		c.Header().Set("Connection", "close")
	}
	c.written = true
	c.ResponseWriter.WriteHeader(code)
}

func (c *closingWriter) Write(b []byte) (int, error) {
	if !c.written {
		c.WriteHeader(http.StatusOK)
	}
	return c.ResponseWriter.Write(b)
}

func statusFor(ok bool) int {
	if ok {
		return http.StatusOK
	}
	return http.StatusServiceUnavailable
}

// known reports whether the request names this server's model and version.
func (s *Server) known(w http.ResponseWriter, r *http.Request) bool {
	if m := r.PathValue("model"); m != s.name {
		writeError(w, http.StatusNotFound, fmt.Sprintf("unknown model %q: this server serves %q", m, s.name))
		return false
	}
	if v := r.PathValue("version"); v != "" && v != s.version {
		writeError(w, http.StatusNotFound, fmt.Sprintf("unknown version %q of model %q: this server serves version %q", v, s.name, s.version))
		return false
	}
	return true
}

func (s *Server) modelReady(w http.ResponseWriter, r *http.Request) {
	if !s.known(w, r) {
		return
	}
	_, ok := s.ready()
	writeJSON(w, statusFor(ok), map[string]any{"name": s.name, "ready": ok})
}

// withModel answers 404 for another model and 503 until the model is loaded.
func (s *Server) withModel(h func(http.ResponseWriter, *http.Request, Model)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.known(w, r) {
			return
		}
		b := s.model.Load()
		if b == nil {
			writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("model %q is still loading", s.name))
			return
		}
		h(w, r, b.Model)
	}
}

type tensorMetadata struct {
	Name     string   `json:"name"`
	Datatype Datatype `json:"datatype"`
	Shape    []int64  `json:"shape"`
}

func specsMetadata(specs []TensorSpec) []tensorMetadata {
	out := make([]tensorMetadata, len(specs))
	for i, s := range specs {
		out[i] = tensorMetadata(s)
	}
	return out
}

func (s *Server) metadata(w http.ResponseWriter, r *http.Request, m Model) {
	writeJSON(w, http.StatusOK, map[string]any{
		"name": s.name, "versions": []string{s.version}, "platform": s.platform,
		"inputs": specsMetadata(m.Inputs()), "outputs": specsMetadata(m.Outputs()),
	})
}

func (s *Server) infer(w http.ResponseWriter, r *http.Request, m Model) {
	start := time.Now()
	body := http.MaxBytesReader(w, r.Body, s.maxBody)
	status, resp, id := s.run(r.Context(), m, body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(resp)
	d := time.Since(start)
	s.metrics.observe(s.name, status, d)
	s.logInference(id, status, d)
}

// run answers one inference request body: the status, the response body
// (an inference response or {"error": ...}) and the request's id.
func (s *Server) run(ctx context.Context, m Model, body io.Reader) (status int, resp []byte, id string) {
	fail := func(code int, msg string) (int, []byte, string) {
		b, _ := json.Marshal(map[string]string{"error": msg})
		return code, append(b, '\n'), id
	}
	var req inferRequest
	if err := json.NewDecoder(body).Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes: send smaller batches", s.maxBody))
		}
		return fail(http.StatusBadRequest, "request is not a valid inference request: "+err.Error())
	}
	id = req.ID
	inputs, err := s.checkInputs(m, req.Inputs)
	if err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	s.metrics.inflight.Inc()
	outputs, err := m.Infer(ctx, inputs)
	s.metrics.inflight.Dec()
	if err != nil {
		return fail(http.StatusInternalServerError, "inference failed: "+err.Error())
	}
	if len(req.Outputs) > 0 {
		if outputs, err = selectOutputs(outputs, req.Outputs); err != nil {
			return fail(http.StatusBadRequest, err.Error())
		}
	}
	b := make([]byte, 0, 256)
	b = append(b, `{"model_name":`...)
	b = strconv.AppendQuote(b, s.name)
	b = append(b, `,"model_version":`...)
	b = strconv.AppendQuote(b, s.version)
	if id != "" {
		b = append(b, `,"id":`...)
		b = strconv.AppendQuote(b, id)
	}
	b = append(b, `,"outputs":[`...)
	for i, t := range outputs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTensorJSON(b, t)
	}
	return http.StatusOK, append(b, "]}\n"...), id
}

// checkInputs decodes the request's inputs and matches them to the model's,
// returning them in the model's order.
func (s *Server) checkInputs(m Model, in []requestTensor) ([]Tensor, error) {
	specs := m.Inputs()
	byName := make(map[string]Tensor, len(in))
	for _, rt := range in {
		t, err := decodeTensor(rt)
		if err != nil {
			return nil, err
		}
		if _, dup := byName[t.Name]; dup {
			return nil, fmt.Errorf("input %q is given twice", t.Name)
		}
		byName[t.Name] = t
	}
	out := make([]Tensor, 0, len(specs))
	for _, spec := range specs {
		t, ok := byName[spec.Name]
		if !ok {
			return nil, fmt.Errorf("input %q is missing: model %q takes %s", spec.Name, s.name, describe(specs))
		}
		if t.Datatype != spec.Datatype {
			return nil, fmt.Errorf("input %q is %s, model %q wants %s", t.Name, t.Datatype, s.name, spec.Datatype)
		}
		if err := CheckShape(spec.Shape, t.Shape); err != nil {
			return nil, fmt.Errorf("input %q: %w", t.Name, err)
		}
		out = append(out, t)
		delete(byName, spec.Name)
	}
	for name := range byName {
		return nil, fmt.Errorf("unknown input %q: model %q takes %s", name, s.name, describe(specs))
	}
	return out, nil
}

func describe(specs []TensorSpec) string {
	b := make([]byte, 0, 64)
	for i, s := range specs {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = fmt.Appendf(b, "%s %s %v", s.Name, s.Datatype, s.Shape)
	}
	return string(b)
}

func selectOutputs(all []Tensor, want []struct {
	Name string `json:"name"`
}) ([]Tensor, error) {
	out := make([]Tensor, 0, len(want))
	for _, w := range want {
		found := false
		for _, t := range all {
			if t.Name == w.Name {
				out = append(out, t)
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown output %q", w.Name)
		}
	}
	return out, nil
}

func (s *Server) logInference(id string, status int, d time.Duration) {
	if s.inferenceLog == nil {
		return
	}
	line, _ := json.Marshal(map[string]any{"time": time.Now().UTC().Format(time.RFC3339Nano), "model": s.name,
		"version": s.version, "id": id, "status": status, "seconds": d.Seconds()})
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.inferenceLog.Write(append(line, '\n'))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
