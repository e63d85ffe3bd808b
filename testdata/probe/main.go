// Command probe is the tiny program the end-to-end tests run in pods, from an
// image they build and push to the local registry themselves.
//
//	probe echo WORDS...     print WORDS
//	probe write FILE TEXT   write TEXT to FILE
//	probe read FILE         print FILE
//	probe load URL N C BODY POST BODY to URL N times from C workers, then
//	                        print latency percentiles and throughput as JSON
//	probe steady URL RPS SECONDS BODY
//	                        POST BODY to URL at a steady rate, then print how
//	                        many requests failed, and the first failures, as JSON
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
	case cmd == "steady" && len(rest) == 4:
		return steady(rest[0], rest[1], rest[2], rest[3])
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

// steady sends requests at a fixed rate, each on its own goroutine so a slow
// answer does not lower the rate, and reports every failure.
func steady(url, rpsStr, secondsStr, body string) error {
	rps, err1 := strconv.Atoi(rpsStr)
	seconds, err2 := strconv.Atoi(secondsStr)
	if err1 != nil || err2 != nil || rps < 1 || seconds < 1 {
		return fmt.Errorf("steady: RPS and SECONDS must be positive integers")
	}
	client := &http.Client{Timeout: 10 * time.Second}
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rps))
	defer tick.Stop()
	n := rps * seconds
	for i := 0; i < n; i++ {
		<-tick.C
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, err := client.Post(url, "application/json", bytes.NewReader([]byte(body)))
			msg := ""
			switch {
			case err != nil:
				msg = err.Error()
			case resp.StatusCode != http.StatusOK:
				b, _ := io.ReadAll(resp.Body)
				msg = fmt.Sprintf("%d %s", resp.StatusCode, bytes.TrimSpace(b))
			}
			if resp != nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			if msg != "" {
				mu.Lock()
				failures = append(failures, fmt.Sprintf("request %d at %s: %s", i, time.Now().Format("15:04:05.000"), msg))
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	first := failures
	if len(first) > 10 {
		first = first[:10]
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"requests": n, "failures": len(failures), "first": first})
}
