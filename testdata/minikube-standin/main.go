// Command minikube-standin plays the minikube CLI for kubox's contract
// tests: it keeps profiles as state in $STANDIN_DIR and answers the
// subcommands kubox uses (version, start, status, delete, update-context,
// ssh, cp) the way minikube documents them. It is not minikube: it tests
// kubox's side of the contract only, never that clusters work.
//
// $STANDIN_VERSION overrides the reported version; $STANDIN_FAIL=start makes
// start fail half-way, leaving a profile behind as minikube can;
// $STANDIN_SLEEP=start makes start hang, to test cancellation.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

type profile struct {
	Name    string            `json:"name"`
	Running bool              `json:"running"`
	Nodes   int               `json:"nodes"`
	Args    []string          `json:"args"`
	Files   map[string]string `json:"files"` // "node:path" -> content
}

func main() {
	code, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "X", err)
	}
	os.Exit(code)
}

func stateFile(name string) string {
	return filepath.Join(os.Getenv("STANDIN_DIR"), name+".json")
}

func load(name string) (*profile, bool) {
	b, err := os.ReadFile(stateFile(name))
	if err != nil {
		return nil, false
	}
	var p profile
	json.Unmarshal(b, &p)
	return &p, true
}

func save(p *profile) {
	b, _ := json.Marshal(p)
	os.WriteFile(stateFile(p.Name), b, 0o644)
}

// flag returns the value of --name=value or -n value style flags.
func flag(args []string, names ...string) string {
	for i, a := range args {
		for _, n := range names {
			if strings.HasPrefix(a, n+"=") {
				return strings.TrimPrefix(a, n+"=")
			}
			if a == n && i+1 < len(args) {
				return args[i+1]
			}
		}
	}
	return ""
}

func nodeName(profile string, i int) string {
	if i == 0 {
		return profile
	}
	return fmt.Sprintf("%s-m%02d", profile, i+1)
}

func run(args []string) (int, error) {
	if len(args) == 0 {
		return 64, fmt.Errorf("no command")
	}
	name := flag(args, "-p", "--profile")
	switch args[0] {
	case "version":
		v := os.Getenv("STANDIN_VERSION")
		if v == "" {
			v = "v1.34.0"
		}
		fmt.Println(v)
		return 0, nil
	case "start":
		if name == "" {
			return 64, fmt.Errorf("start needs -p")
		}
		nodes, _ := strconv.Atoi(flag(args, "--nodes"))
		p := &profile{Name: name, Nodes: max(nodes, 1), Args: args[1:], Files: map[string]string{}}
		save(p) // minikube records a profile before the cluster runs
		if os.Getenv("STANDIN_SLEEP") == "start" {
			time.Sleep(time.Minute)
		}
		if os.Getenv("STANDIN_FAIL") == "start" {
			return 80, fmt.Errorf("Exiting due to GUEST_START: failed to start node")
		}
		p.Running = true
		for i := 0; i < p.Nodes; i++ {
			p.Files[nodeName(name, i)+":/etc/containerd/config.toml"] = os.Getenv("STANDIN_CONTAINERD_CONFIG")
		}
		if m := flag(args, "--mount-string"); m != "" {
			_, dst, _ := strings.Cut(m, ":")
			for i := 0; i < p.Nodes; i++ {
				p.Files[nodeName(name, i)+":"+dst+"/"] = "dir"
			}
		}
		save(p)
		return 0, writeKubeconfig(name)
	case "status":
		p, ok := load(name)
		if !ok {
			fmt.Printf("* Profile %q not found.\n", name)
			return 85, nil
		}
		var out []map[string]string
		for i := 0; i < p.Nodes; i++ {
			host := "Stopped"
			if p.Running {
				host = "Running"
			}
			out = append(out, map[string]string{"Name": nodeName(name, i), "Host": host, "Kubelet": host, "APIServer": host})
		}
		b, _ := json.Marshal(out)
		fmt.Println(string(b))
		if !p.Running {
			return 7, nil
		}
		return 0, nil
	case "delete":
		os.Remove(stateFile(name))
		return 0, removeKubeconfig(name)
	case "update-context":
		if _, ok := load(name); !ok {
			return 85, fmt.Errorf("profile %q not found", name)
		}
		return 0, writeKubeconfig(name)
	case "ssh":
		return ssh(name, args)
	case "cp":
		p, ok := load(name)
		if !ok {
			return 85, fmt.Errorf("profile %q not found", name)
		}
		var rest []string
		for i := 1; i < len(args); i++ {
			if args[i] == "-p" {
				i++
				continue
			}
			rest = append(rest, args[i])
		}
		if len(rest) != 2 {
			return 64, fmt.Errorf("cp SRC NODE:DST")
		}
		b, err := os.ReadFile(rest[0])
		if err != nil {
			return 1, err
		}
		p.Files[rest[1]] = string(b)
		save(p)
		return 0, nil
	}
	return 64, fmt.Errorf("unknown command %q", args[0])
}

// ssh understands the few shell commands kubox sends.
func ssh(name string, args []string) (int, error) {
	p, ok := load(name)
	if !ok || !p.Running {
		return 80, fmt.Errorf("profile %q is not running", name)
	}
	node := flag(args, "-n", "--node")
	if node == "" {
		node = name
	}
	var cmd []string
	for i, a := range args {
		if a == "--" {
			cmd = args[i+1:]
		}
	}
	line := strings.Join(cmd, " ")
	switch {
	case strings.HasPrefix(line, "sudo cat "):
		content, ok := p.Files[node+":"+strings.TrimPrefix(line, "sudo cat ")]
		if !ok {
			return 1, fmt.Errorf("cat: no such file")
		}
		fmt.Print(content)
		return 0, nil
	case strings.HasPrefix(line, "test -d "):
		if _, ok := p.Files[node+":"+strings.TrimPrefix(line, "test -d ")+"/"]; ok {
			return 0, nil
		}
		return 1, nil
	case strings.HasPrefix(line, "sudo mkdir -p "):
		p.Files[node+":"+strings.TrimPrefix(line, "sudo mkdir -p ")+"/"] = "dir"
	case strings.HasPrefix(line, "sudo rm -rf "):
		prefix := strings.TrimSuffix(strings.TrimPrefix(line, "sudo rm -rf "), "*")
		for k := range p.Files {
			if strings.HasPrefix(k, node+":"+prefix) && k != node+":"+prefix {
				delete(p.Files, k)
			}
		}
	default:
		return 127, fmt.Errorf("stand-in ssh does not know %q", line)
	}
	save(p)
	return 0, nil
}

func kubeconfigPath() string {
	if k := os.Getenv("KUBECONFIG"); k != "" {
		return strings.Split(k, string(os.PathListSeparator))[0]
	}
	return filepath.Join(os.Getenv("HOME"), ".kube", "config")
}

type kubeconfig struct {
	APIVersion     string           `json:"apiVersion"`
	Kind           string           `json:"kind"`
	CurrentContext string           `json:"current-context"`
	Clusters       []map[string]any `json:"clusters"`
	Contexts       []map[string]any `json:"contexts"`
	Users          []map[string]any `json:"users"`
}

// writeKubeconfig adds the profile's context, as minikube does, and makes
// it current. The server address is never dialled in the contract tests.
func writeKubeconfig(name string) error {
	var k kubeconfig
	if b, err := os.ReadFile(kubeconfigPath()); err == nil {
		json.Unmarshal(b, &k)
	}
	removeEntries(&k, name)
	k.APIVersion, k.Kind, k.CurrentContext = "v1", "Config", name
	k.Clusters = append(k.Clusters, map[string]any{"name": name, "cluster": map[string]any{"server": "https://127.0.0.1:1"}})
	k.Users = append(k.Users, map[string]any{"name": name, "user": map[string]any{"token": "standin"}})
	k.Contexts = append(k.Contexts, map[string]any{"name": name, "context": map[string]any{"cluster": name, "user": name}})
	b, _ := json.Marshal(k)
	os.MkdirAll(filepath.Dir(kubeconfigPath()), 0o755)
	return os.WriteFile(kubeconfigPath(), b, 0o600)
}

func removeKubeconfig(name string) error {
	var k kubeconfig
	b, err := os.ReadFile(kubeconfigPath())
	if err != nil {
		return nil
	}
	json.Unmarshal(b, &k)
	removeEntries(&k, name)
	if k.CurrentContext == name {
		k.CurrentContext = ""
	}
	b, _ = json.Marshal(k)
	return os.WriteFile(kubeconfigPath(), b, 0o600)
}

func removeEntries(k *kubeconfig, name string) {
	keep := func(list []map[string]any) []map[string]any {
		var out []map[string]any
		for _, e := range list {
			if e["name"] != name {
				out = append(out, e)
			}
		}
		return out
	}
	k.Clusters, k.Contexts, k.Users = keep(k.Clusters), keep(k.Contexts), keep(k.Users)
}
