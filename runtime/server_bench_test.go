package runtime

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// BenchmarkServerDemo serves the demo model (iris, XGBoost) over real HTTP
// on loopback, one request at a time, and reports latency percentiles and
// throughput: the protocol, JSON and model cost together.
func BenchmarkServerDemo(b *testing.B) {
	m, err := Load(FormatXGBoost, filepath.Join("..", "testdata", "models", "iris-xgboost"))
	if err != nil {
		b.Fatal(err)
	}
	s := NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), ServerOptions{Name: "iris", Version: "1"})
	s.SetModel(m)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	body := []byte(`{"inputs":[{"name":"input","datatype":"FP32","shape":[1,4],"data":[5.1,3.5,1.4,0.2]}]}`)
	url := ts.URL + "/v2/models/iris/infer"
	client := ts.Client()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		resp, err := client.Post(url, "application/json", bytes.NewReader(body))
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("infer: %v %v", err, resp)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(t))
	}
	total := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(b.N)/total.Seconds(), "req/s")
}
