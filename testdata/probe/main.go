// Command probe is the tiny program the end-to-end tests run in pods, from an
// image they build and push to the local registry themselves.
//
//	probe echo WORDS...     print WORDS
//	probe write FILE TEXT   write TEXT to FILE
//	probe read FILE         print FILE
//	probe load URL N C BODY POST BODY to URL N times from C workers, then
//	                        print latency percentiles and throughput as JSON
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: probe echo|write|read ...")
	}
	switch cmd, rest := args[0], args[1:]; {
	case cmd == "echo":
		fmt.Println(strings.Join(rest, " "))
	case cmd == "write" && len(rest) == 2:
		return os.WriteFile(rest[0], []byte(rest[1]), 0o644)
	case cmd == "read" && len(rest) == 1:
		b, err := os.ReadFile(rest[0])
		if err != nil {
			return err
		}
		fmt.Print(string(b))
	case cmd == "load" && len(rest) == 4:
		return load(rest[0], rest[1], rest[2], rest[3])
	default:
		return fmt.Errorf("unknown command %q", strings.Join(args, " "))
	}
	return nil
}

// load measures a server from inside the cluster: every request's latency,
// its percentiles, and requests per second over the whole run.
func load(url, nStr, cStr, body string) error {
	n, err1 := strconv.Atoi(nStr)
	c, err2 := strconv.Atoi(cStr)
	if err1 != nil || err2 != nil || n < 1 || c < 1 {
		return fmt.Errorf("load: N and C must be positive integers")
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c}}
	latencies := make([]time.Duration, n)
	var failures int
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t := time.Now()
				resp, err := client.Post(url, "application/json", bytes.NewReader([]byte(body)))
				ok := err == nil && resp.StatusCode == http.StatusOK
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				latencies[i] = time.Since(t)
				if !ok {
					mu.Lock()
					failures++
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	total := time.Since(start)
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) float64 { return latencies[int(p*float64(n-1))].Seconds() * 1000 }
	var sum time.Duration
	for _, l := range latencies {
		sum += l
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"requests": n, "concurrency": c, "failures": failures,
		"p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": pct(1), "mean_ms": sum.Seconds() * 1000 / float64(n),
		"rps": float64(n) / total.Seconds(),
	})
}
