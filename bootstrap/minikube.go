package bootstrap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/kubox-dev/kubox/internal/cmdrun"
	"github.com/kubox-dev/kubox/registry"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// minikube's storage-provisioner-rancher addon runs the same local-path
// provisioner as kind, with its base here; the kubox-retain class's path
// pattern is relative to it, so only the mount target differs.
const (
	minikubeProvisionerBase = "/opt/local-path-provisioner"
	minikubeStorageMount    = minikubeProvisionerBase + "/" + storageSubdir
	minikubeMinVersion      = "1.32.0"
	minikubeInstall         = "install it from https://minikube.sigs.k8s.io/docs/start/, or use --provider kind"
)

// minikubeProvider drives the minikube CLI (docker driver, containerd
// runtime). Everything goes through the CLI, none through minikube's
// internals, so a stand-in executable can test kubox's side of it.
type minikubeProvider struct {
	run cmdrun.Runner
	bin string
}

var _ Provider = (*minikubeProvider)(nil)

func (m *minikubeProvider) Name() string                  { return ProviderMinikube }
func (m *minikubeProvider) Network(cluster string) string { return cluster }

// cmd is a minikube invocation for s: its kubeconfig, and plain output.
func (m *minikubeProvider) cmd(s Spec, args ...string) cmdrun.Cmd {
	env := []string{"MINIKUBE_IN_STYLE=false"}
	if s.Kubeconfig != "" {
		env = append(env, "KUBECONFIG="+s.Kubeconfig)
	}
	return cmdrun.Cmd{Name: m.bin, Args: args, Env: env}
}

// minikubeStartArgs is how kubox asks minikube for a cluster.
func minikubeStartArgs(s Spec) []string {
	args := []string{"start", "-p", s.Name,
		"--driver=docker", "--container-runtime=containerd",
		"--nodes=" + strconv.Itoa(1+s.Workers),
		"--mount", "--mount-string=" + s.StorageDir() + ":" + minikubeStorageMount,
		"--addons=storage-provisioner-rancher",
		"--embed-certs", "--interactive=false", "--wait=apiserver,system_pods,default_sa"}
	if s.NodeImage != "" {
		args = append(args, "--base-image="+s.NodeImage)
	}
	return args
}

// checkVersion fails when minikube is missing or older than kubox knows.
func (m *minikubeProvider) checkVersion(ctx context.Context) error {
	out, err := m.run.Run(ctx, cmdrun.Cmd{Name: m.bin, Args: []string{"version", "--short"}})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("minikube is not installed or does not run (%v): %s", firstLine(err.Error()), minikubeInstall)
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	if !versionAtLeast(v, minikubeMinVersion) {
		return fmt.Errorf("minikube %s is older than %s, the oldest kubox works with: upgrade it (https://minikube.sigs.k8s.io/docs/start/)", v, minikubeMinVersion)
	}
	return nil
}

func (m *minikubeProvider) Create(ctx context.Context, s Spec) error {
	if err := m.checkVersion(ctx); err != nil {
		return err
	}
	if err := os.MkdirAll(s.StorageDir(), 0o755); err != nil {
		return fmt.Errorf("creating storage directory: %w", err)
	}
	if _, err := m.run.Run(ctx, m.cmd(s, minikubeStartArgs(s)...)); err != nil {
		// minikube records the profile before the cluster runs: a failed
		// or cancelled start leaves one to remove.
		_, _ = m.run.Run(context.WithoutCancel(ctx), m.cmd(s, "delete", "-p", s.Name))
		_ = os.Remove(s.StorageDir())
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("creating minikube cluster %q: %w", s.Name, err)
	}
	nodes, err := m.Nodes(ctx, s)
	if err != nil {
		return err
	}
	for _, n := range nodes {
		cfg, err := m.Files(s).ReadFile(ctx, n.Name, "/etc/containerd/config.toml")
		if err != nil {
			return err
		}
		if !strings.Contains(cfg, registry.CertsDir) {
			return fmt.Errorf("minikube's containerd on node %s does not read registry hosts from %s, so the local registry cannot be wired in: upgrade minikube, or use --provider kind", n.Name, registry.CertsDir)
		}
	}
	return nil
}

// status is one node as `minikube status -o json` reports it.
type minikubeStatus struct {
	Name string
	Host string
}

func (m *minikubeProvider) Nodes(ctx context.Context, s Spec) ([]Node, error) {
	out, err := m.run.Run(ctx, m.cmd(s, "status", "-p", s.Name, "-o", "json"))
	var ce *cmdrun.Error
	switch {
	case cmdrun.Missing(err):
		return nil, nil // no minikube, so no minikube cluster
	case errors.As(err, &ce) && ce.ExitCode() == 85: // no such profile
		return nil, nil
	case errors.As(err, &ce) && len(out) > 0:
		// Other exit codes say a node is stopped; the JSON says which.
	case err != nil:
		return nil, fmt.Errorf("reading minikube cluster %q: %w", s.Name, err)
	}
	var list []minikubeStatus
	if trimmed := strings.TrimSpace(string(out)); strings.HasPrefix(trimmed, "{") {
		var one minikubeStatus
		if err := json.Unmarshal([]byte(trimmed), &one); err != nil {
			return nil, fmt.Errorf("reading `minikube status` for %q: %w", s.Name, err)
		}
		list = append(list, one)
	} else if trimmed != "" {
		if err := json.Unmarshal([]byte(trimmed), &list); err != nil {
			return nil, fmt.Errorf("reading `minikube status` for %q: %w", s.Name, err)
		}
	}
	nodes := make([]Node, 0, len(list))
	for i, st := range list {
		n := Node{Name: st.Name, Cluster: s.Name, Role: "worker", Running: st.Host == "Running"}
		if i == 0 {
			n.Role = "control-plane"
		}
		if n.Running {
			// kubox's clusters mount its storage; others do not.
			_, err := m.run.Run(ctx, m.cmd(s, "ssh", "-p", s.Name, "-n", n.Name, "--", "test", "-d", minikubeStorageMount))
			n.Managed = err == nil
		} else {
			n.Managed = true // a stopped node cannot say; do not call it foreign
		}
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })
	return nodes, nil
}

func (m *minikubeProvider) Delete(ctx context.Context, s Spec, _ []Node) error {
	if _, err := m.run.Run(ctx, m.cmd(s, "delete", "-p", s.Name)); err != nil {
		return fmt.Errorf("deleting minikube cluster %q: %w", s.Name, err)
	}
	return nil
}

// KubeConfig cuts the cluster's context out of the kubeconfig minikube
// wrote, restoring it first if the user removed it.
func (m *minikubeProvider) KubeConfig(ctx context.Context, s Spec) ([]byte, error) {
	if !hasContext(s.Kubeconfig, s.Context()) {
		if err := m.ExportKubeConfig(ctx, s); err != nil {
			return nil, err
		}
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = s.Kubeconfig
	all, err := rules.Load()
	if err != nil {
		return nil, err
	}
	c, ok := all.Contexts[s.Context()]
	if !ok {
		return nil, fmt.Errorf("minikube wrote no kube context %q", s.Context())
	}
	one := clientcmdapi.NewConfig()
	one.Contexts[s.Context()] = c
	one.Clusters[c.Cluster] = all.Clusters[c.Cluster]
	one.AuthInfos[c.AuthInfo] = all.AuthInfos[c.AuthInfo]
	one.CurrentContext = s.Context()
	return clientcmd.Write(*one)
}

func (m *minikubeProvider) ExportKubeConfig(ctx context.Context, s Spec) error {
	if _, err := m.run.Run(ctx, m.cmd(s, "update-context", "-p", s.Name)); err != nil {
		return fmt.Errorf("writing kube context %q: %w", s.Context(), err)
	}
	return nil
}

func (m *minikubeProvider) ClearVolumes(ctx context.Context, s Spec, nodes []Node) error {
	if len(nodes) == 0 {
		return nil
	}
	_, err := m.run.Run(ctx, m.cmd(s, "ssh", "-p", s.Name, "-n", nodes[0].Name, "--", "sudo", "rm", "-rf", minikubeStorageMount+"/*"))
	return err
}

func (m *minikubeProvider) Files(s Spec) registry.NodeFS { return minikubeFS{m: m, s: s} }

// minikubeFS reaches node files through `minikube ssh` and `minikube cp`.
type minikubeFS struct {
	m *minikubeProvider
	s Spec
}

func (f minikubeFS) ReadFile(ctx context.Context, node, file string) (string, error) {
	out, err := f.m.run.Run(ctx, f.m.cmd(f.s, "ssh", "-p", f.s.Name, "-n", node, "--", "sudo", "cat", file))
	var ce *cmdrun.Error
	if errors.As(err, &ce) && ce.ExitCode() > 0 {
		return "", nil // cat: no such file
	}
	return string(out), err
}

func (f minikubeFS) WriteFiles(ctx context.Context, node, dir string, files map[string]string) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, rel := range names {
		dst := path.Join(dir, rel)
		if _, err := f.m.run.Run(ctx, f.m.cmd(f.s, "ssh", "-p", f.s.Name, "-n", node, "--", "sudo", "mkdir", "-p", path.Dir(dst))); err != nil {
			return err
		}
		tmp, err := os.CreateTemp("", "kubox-node-file-")
		if err != nil {
			return err
		}
		_, werr := tmp.WriteString(files[rel])
		tmp.Close()
		if werr == nil {
			_, werr = f.m.run.Run(ctx, f.m.cmd(f.s, "cp", "-p", f.s.Name, tmp.Name(), node+":"+dst))
		}
		os.Remove(tmp.Name())
		if werr != nil {
			return werr
		}
	}
	return nil
}

// versionAtLeast compares dotted versions numerically ("1.34.0" >= "1.32.0").
func versionAtLeast(v, min string) bool {
	a, b := strings.Split(strings.SplitN(v, "-", 2)[0], "."), strings.Split(min, ".")
	for i := range b {
		var x, y int
		if i < len(a) {
			x, _ = strconv.Atoi(a[i])
		}
		y, _ = strconv.Atoi(b[i])
		if x != y {
			return x > y
		}
	}
	return true
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
