package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func runKubox(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"kubox"}, args...), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRunRejectsBadInputBeforeTouchingDocker(t *testing.T) {
	// A dead Docker socket: had any of these reached Docker, the error
	// would be about Docker instead.
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"up with invalid name", []string{"up", "--name", "Bad_Name"}, `invalid cluster name "Bad_Name"`},
		{"down with invalid name", []string{"down", "--name", "-x"}, "invalid cluster name"},
		{"status with unknown format", []string{"status", "-o", "yaml"}, "use -o text or -o json"},
		{"unknown flag", []string{"up", "--nope"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runKubox(t, tt.args...)
			if code != exitError || !strings.Contains(stderr, tt.want) {
				t.Errorf("kubox %v = exit %d, stderr %q; want exit 1 and %q", tt.args, code, stderr, tt.want)
			}
			if strings.Contains(stderr, "Docker") {
				t.Errorf("kubox %v reached Docker: %q", tt.args, stderr)
			}
		})
	}
}

func TestRunWithoutDocker(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	for _, args := range [][]string{{"up"}, {"down"}, {"status"}} {
		code, stdout, stderr := runKubox(t, args...)
		if code != exitError {
			t.Errorf("kubox %v = exit %d, want 1", args, code)
		}
		if !strings.Contains(stderr, "is Docker running?") || !strings.Contains(stderr, "/nonexistent/docker.sock") {
			t.Errorf("kubox %v stderr = %q, want the address and the fix", args, stderr)
		}
		if lines := strings.Count(strings.TrimSpace(stderr), "\n"); lines != 0 {
			t.Errorf("kubox %v stderr has %d lines, want one: %q", args, lines+1, stderr)
		}
		if stdout != "" {
			t.Errorf("kubox %v stdout = %q, want nothing", args, stdout)
		}
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"kubox", "up"}, strings.NewReader(""), &out, &errOut); code != exitCancelled {
		t.Errorf("run(cancelled) = %d, want %d (stderr %q)", code, exitCancelled, errOut.String())
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := runKubox(t, "version")
	if code != exitOK || !strings.HasPrefix(stdout, "kubox ") || !strings.Contains(stdout, "default node image kindest/node:") {
		t.Errorf("kubox version = %d, %q", code, stdout)
	}
}

func TestSchemaIsJSON(t *testing.T) {
	code, stdout, _ := runKubox(t, "schema")
	var schema map[string]any
	if code != exitOK || json.Unmarshal([]byte(stdout), &schema) != nil || schema["$schema"] == nil {
		t.Errorf("kubox schema = %d, %.200s", code, stdout)
	}
}
