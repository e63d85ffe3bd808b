package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// onboardingApp is the app as app.go builds it, with init, doctor and
// completion wired in as the lead will wire them.
func onboardingApp(stdout, stderr *bytes.Buffer) *cli.App {
	return &cli.App{
		Name: "kubox", Writer: stdout, ErrWriter: stderr, Reader: strings.NewReader(""),
		HideHelpCommand: true, EnableBashCompletion: true,
		ExitErrHandler: func(*cli.Context, error) {},
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}},
		},
		Commands: []*cli.Command{initCommand(), doctorCommand(), completionCommand()},
	}
}

func runOnboarding(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = onboardingApp(&out, &errOut).RunContext(context.Background(), append([]string{"kubox"}, args...))
	return out.String(), errOut.String(), err
}

func TestInitCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "churn-model")
	stdout, _, err := runOnboarding(t, "init", "--format", "onnx", dir)
	if err != nil {
		t.Fatalf("kubox init = %v", err)
	}
	for _, want := range []string{"wrote  kubox.yaml", "wrote  model/model.onnx", "wrote  .kuboxignore", "wrote  .github/workflows/kubox.yml",
		"model churn-model (onnx)", "cd " + dir, "kubox up", "kubox dev", "kubox predict"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("kubox init stdout lacks %q:\n%s", want, stdout)
		}
	}
	before, _ := os.ReadFile(filepath.Join(dir, "kubox.yaml"))

	_, _, err = runOnboarding(t, "init", dir)
	if err == nil || !strings.Contains(err.Error(), "already exist") || !strings.Contains(err.Error(), "--force") {
		t.Errorf("kubox init again = %v, want the files that exist and --force", err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "kubox.yaml")); !bytes.Equal(before, after) {
		t.Error("a refused kubox init changed kubox.yaml")
	}

	stdout, _, err = runOnboarding(t, "init", "--force", "--format", "onnx", dir)
	if err != nil || !strings.Contains(stdout, "overwrote  kubox.yaml") {
		t.Errorf("kubox init --force = %v, stdout %q; want overwrote lines", err, stdout)
	}
}

func TestInitCommandAdopts(t *testing.T) {
	dir := t.TempDir()
	model, err := os.ReadFile("../../testdata/models/iris-onnx/model.onnx")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "classifier.onnx"), model, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runOnboarding(t, "init", "--name", "iris", dir)
	if err != nil {
		t.Fatalf("kubox init = %v", err)
	}
	if !strings.Contains(stdout, "model iris: your classifier.onnx (onnx)") || strings.Contains(stdout, "model/") {
		t.Errorf("kubox init stdout = %q, want the adopted model and no sample", stdout)
	}
}

func TestInitCommandRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"two directories", []string{"init", "a", "b"}, "init takes one directory"},
		{"unknown format", []string{"init", "--format", "tf", "DIR"}, "use --format onnx or --format xgboost"},
		{"bad name", []string{"init", "--name", "Iris!", "DIR"}, "--name iris"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for i, a := range tt.args {
				if a == "DIR" {
					tt.args[i] = dir
				}
			}
			_, _, err := runOnboarding(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("kubox %v = %v, want %q", tt.args, err, tt.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("kubox %v wrote %d files", tt.args, len(entries))
			}
		})
	}
}

func onboardingFreePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func TestDoctorCommandWithoutDocker(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent.sock")
	data := t.TempDir()
	stdout, _, err := runOnboarding(t, "doctor", "--registry-port", onboardingFreePort(t), "--data-dir", data)
	if err == nil || !strings.Contains(err.Error(), "failed (docker") {
		t.Errorf("kubox doctor = %v, want the failed docker check", err)
	}
	if !strings.Contains(stdout, "✗ docker ") || !strings.Contains(stdout, "cannot reach Docker at unix:///nonexistent.sock") {
		t.Errorf("kubox doctor stdout lacks the failed docker line:\n%s", stdout)
	}
	if !strings.Contains(stdout, "\n  ") || !strings.Contains(stdout, "is Docker running? start Docker Desktop, or `sudo systemctl start docker`, or unset DOCKER_HOST") {
		t.Errorf("kubox doctor stdout lacks the indented fix:\n%s", stdout)
	}

	stdout, _, err = runOnboarding(t, "doctor", "-o", "json", "--registry-port", onboardingFreePort(t), "--data-dir", data)
	if err == nil {
		t.Error("kubox doctor -o json = nil, want the failure as the exit status")
	}
	var doc struct {
		APIVersion, Kind string
		OK               bool
		Checks           []struct{ Name, Status, Detail, Fix string }
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("kubox doctor -o json is not JSON: %v\n%s", err, stdout)
	}
	if doc.APIVersion != "kubox.dev/v1alpha1" || doc.Kind != "Doctor" || doc.OK || len(doc.Checks) == 0 || doc.Checks[0].Status != "fail" {
		t.Errorf("kubox doctor -o json = %+v", doc)
	}

	if _, _, err := runOnboarding(t, "doctor", "-o", "yaml"); err == nil || !strings.Contains(err.Error(), "use -o text or -o json") {
		t.Errorf("kubox doctor -o yaml = %v", err)
	}
}

func TestCompletionScripts(t *testing.T) {
	tests := []struct {
		shell string
		want  []string
	}{
		{"bash", []string{"complete -o bashdefault -o default -F _kubox kubox", "--" + cli.BashCompletionFlag.Names()[0]}},
		{"zsh", []string{"#compdef kubox", "compdef _kubox kubox", "--" + cli.BashCompletionFlag.Names()[0]}},
		{"fish", []string{"complete -c kubox", "__fish_seen_subcommand_from init", "doctor", "completion"}},
	}
	for _, tt := range tests {
		t.Run(tt.shell, func(t *testing.T) {
			stdout, _, err := runOnboarding(t, "completion", tt.shell)
			if err != nil {
				t.Fatalf("kubox completion %s = %v", tt.shell, err)
			}
			for _, want := range tt.want {
				if !strings.Contains(stdout, want) {
					t.Errorf("kubox completion %s lacks %q:\n%s", tt.shell, want, stdout)
				}
			}
			if sh, err := exec.LookPath(tt.shell); err == nil && tt.shell != "fish" {
				// The shell itself checks the syntax.
				cmd := exec.Command(sh, "-n")
				cmd.Stdin = strings.NewReader(stdout)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("%s -n: %v\n%s", tt.shell, err, out)
				}
			}
		})
	}
}

func TestCompletionRejectsOtherShells(t *testing.T) {
	for _, args := range [][]string{{"completion", "tcsh"}, {"completion"}, {"completion", "bash", "zsh"}} {
		_, _, err := runOnboarding(t, args...)
		if err == nil || !strings.Contains(err.Error(), "bash") || !strings.Contains(err.Error(), "zsh") || !strings.Contains(err.Error(), "fish") {
			t.Errorf("kubox %v = %v, want an error naming bash, zsh and fish", args, err)
		}
	}
}

// TestCompletionHelperProcess is kubox for the bash script under test:
// the stub kubox on PATH runs this test binary with the words to complete.
func TestCompletionHelperProcess(t *testing.T) {
	if os.Getenv("KUBOX_COMPLETION_HELPER") != "1" {
		t.Skip("run by TestBashCompletion")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	f, _ := os.OpenFile(os.Getenv("KUBOX_COMPLETION_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	f.WriteString(strings.Join(args, " ") + "\n")
	f.Close()
	// urfave/cli reads os.Args to complete flags: make them what the real
	// binary would see. This process exits right after.
	os.Args = append([]string{"kubox"}, args...)
	var out, errOut bytes.Buffer
	onboardingApp(&out, &errOut).Run(os.Args)
	os.Stdout.Write(out.Bytes())
	os.Exit(0)
}

func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script, _, err := runOnboarding(t, "completion", "bash")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	stub := "#!/bin/sh\nexec \"$KUBOX_TEST_BINARY\" -test.run='^TestCompletionHelperProcess$' -- \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "kubox"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		words []string // the command line, the last word being completed
		want  []string
		asked bool // whether kubox is asked at all
	}{
		{"commands", []string{"kubox", ""}, []string{"init", "doctor", "completion"}, true},
		{"a command's prefix", []string{"kubox", "do"}, []string{"doctor"}, true},
		{"a command's flags", []string{"kubox", "init", "--f"}, []string{"--format", "--force"}, true},
		{"every flag after --", []string{"kubox", "doctor", "--"}, []string{"--output", "--data-dir", "--registry-port", "--node-image"}, true},
		{"nothing after a bare --", []string{"kubox", "ci", "run", "--", "kubox", "pre"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "asked")
			words := make([]string, len(tt.words))
			for i, w := range tt.words {
				words[i] = strconv.Quote(w)
			}
			prog := script + "\nCOMP_WORDS=(" + strings.Join(words, " ") + ")\nCOMP_CWORD=" + strconv.Itoa(len(tt.words)-1) +
				"\n_kubox\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
			cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog)
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"KUBOX_TEST_BINARY="+self, "KUBOX_COMPLETION_HELPER=1", "KUBOX_COMPLETION_LOG="+log)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("bash: %v", err)
			}
			got := strings.Fields(string(out))
			for _, want := range tt.want {
				if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+want+" ") {
					t.Errorf("completing %q = %v, want %s among them", tt.words, got, want)
				}
			}
			if tt.want == nil && len(got) != 0 {
				t.Errorf("completing %q = %v, want nothing", tt.words, got)
			}
			if _, err := os.Stat(log); (err == nil) != tt.asked {
				t.Errorf("completing %q asked kubox: %v, want %v", tt.words, err == nil, tt.asked)
			}
		})
	}
}
