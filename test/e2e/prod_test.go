//go:build e2e

package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"
	"golang.org/x/crypto/bcrypt"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/kind/pkg/cluster"
)

// The production-like environment: a cluster and a registry made without
// kubox, as a platform team would run them.
const (
	prodCluster  = "kubox-e2e-prod"
	prodRegistry = "kubox-e2e-prodreg" // its name on the cluster network
	prodPort     = "5902"              // published on 127.0.0.1 for the machine
	prodUser     = "ml-team"
	prodPassword = "s3cret-for-tests"
)

// prodProfile is deployed unchanged, byte for byte, to both clusters.
const prodProfile = `apiVersion: kubox.dev/v1alpha1
kind: Model
name: iris-prod
model:
  path: ./model
  format: xgboost
serving:
  inferenceLog: {enabled: true, size: 64Mi}
samples:
  - name: setosa
    inputs:
      - {name: input, datatype: FP32, shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2]}
    expect:
      - {name: predict, data: [0.953119, 0.024485, 0.022396]}
`

// testCA makes a CA and a server certificate for the production registry.
func testCA(t *testing.T, dir string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kubox e2e test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: prodRegistry},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{prodRegistry, "localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	write := func(name, typ string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.crt", "CERTIFICATE", caDER), write("tls.crt", "CERTIFICATE", der), write("tls.key", "EC PRIVATE KEY", keyDER)
}

// prodEnv builds the production-like cluster and registry and returns a
// client for the cluster. Everything is removed when the test ends.
func prodEnv(t *testing.T) (kubernetes.Interface, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	caFile, certFile, keyFile := testCA(t, filepath.Join(dir))
	hash, _ := bcrypt.GenerateFromPassword([]byte(prodPassword), bcrypt.DefaultCost)
	os.MkdirAll(filepath.Join(dir, "auth"), 0o755)
	os.WriteFile(filepath.Join(dir, "auth", "htpasswd"), []byte(prodUser+":"+string(hash)+"\n"), 0o644)

	// The cluster: plain kind, nodes told to trust the company CA.
	nodeImage := os.Getenv("KUBOX_NODE_IMAGE")
	provider := cluster.NewProvider(cluster.ProviderWithDocker())
	provider.Delete(prodCluster, env.kubeconfig)
	cfg := &v1alpha4.Cluster{TypeMeta: v1alpha4.TypeMeta{Kind: "Cluster", APIVersion: "kind.x-k8s.io/v1alpha4"},
		Nodes:                   []v1alpha4.Node{{Role: v1alpha4.ControlPlaneRole, Image: nodeImage}},
		ContainerdConfigPatches: []string{"[plugins.\"io.containerd.grpc.v1.cri\".registry]\n  config_path = \"/etc/containerd/certs.d\"\n"}}
	opts := []cluster.CreateOption{cluster.CreateWithV1Alpha4Config(cfg), cluster.CreateWithKubeconfigPath(env.kubeconfig),
		cluster.CreateWithDisplayUsage(false), cluster.CreateWithDisplaySalutation(false), cluster.CreateWithWaitForReady(3 * time.Minute)}
	if nodeImage != "" {
		opts = append(opts, cluster.CreateWithNodeImage(nodeImage))
	}
	if err := provider.Create(prodCluster, opts...); err != nil {
		t.Fatalf("creating the production-like cluster: %v", err)
	}
	t.Cleanup(func() { provider.Delete(prodCluster, env.kubeconfig) })
	certsDir := "/etc/containerd/certs.d/" + prodRegistry + ":5000"
	hostsToml := fmt.Sprintf("[host.\"https://%s:5000\"]\n  ca = \"%s/ca.crt\"\n", prodRegistry, certsDir)
	node := prodCluster + "-control-plane"
	for _, cmd := range [][]string{
		{"docker", "exec", node, "mkdir", "-p", certsDir},
		{"docker", "cp", caFile, node + ":" + certsDir + "/ca.crt"},
		{"docker", "exec", node, "sh", "-c", "printf '" + hostsToml + "' > " + certsDir + "/hosts.toml"},
	} {
		if out, err := exec.Command(cmd[0], cmd[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v %s", cmd, err, out)
		}
	}

	// The registry: TLS and basic auth, reachable by the nodes by name and by
	// this machine on a loopback port.
	d := dockerClient(t)
	d.ContainerRemove(ctx, prodRegistry, container.RemoveOptions{Force: true})
	regImage := os.Getenv("KUBOX_REGISTRY_IMAGE")
	if regImage == "" {
		regImage = "registry:2"
	}
	_, err := d.ContainerCreate(ctx, &container.Config{Image: regImage,
		Env: []string{"REGISTRY_HTTP_TLS_CERTIFICATE=/certs/tls.crt", "REGISTRY_HTTP_TLS_KEY=/certs/tls.key",
			"REGISTRY_AUTH=htpasswd", "REGISTRY_AUTH_HTPASSWD_REALM=prod", "REGISTRY_AUTH_HTPASSWD_PATH=/auth/htpasswd"},
		ExposedPorts: nat.PortSet{"5000/tcp": {}}},
		&container.HostConfig{PortBindings: nat.PortMap{"5000/tcp": {{HostIP: "127.0.0.1", HostPort: prodPort}}},
			Mounts: []mount.Mount{{Type: mount.TypeBind, Source: dir, Target: "/certs", ReadOnly: true},
				{Type: mount.TypeBind, Source: filepath.Join(dir, "auth"), Target: "/auth", ReadOnly: true}}},
		&network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{"kind": {}}}, nil, prodRegistry)
	if err != nil {
		t.Fatalf("creating the production registry: %v", err)
	}
	t.Cleanup(func() { d.ContainerRemove(context.Background(), prodRegistry, container.RemoveOptions{Force: true}) })
	if err := d.ContainerStart(ctx, prodRegistry, container.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	_ = certFile
	_ = keyFile

	restCfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(&clientcmd.ClientConfigLoadingRules{ExplicitPath: env.kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: "kind-" + prodCluster}).ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	kube := kubernetes.NewForConfigOrDie(restCfg)

	// Another default StorageClass name, as clusters in production have.
	if _, err := kube.StorageV1().StorageClasses().Create(ctx, &storagev1.StorageClass{
		ObjectMeta:  metav1.ObjectMeta{Name: "fast-ssd", Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}},
		Provisioner: "rancher.io/local-path", VolumeBindingMode: ptr(storagev1.VolumeBindingWaitForFirstConsumer),
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	std, err := kube.StorageV1().StorageClasses().Get(ctx, "standard", metav1.GetOptions{})
	if err == nil {
		delete(std.Annotations, "storageclass.kubernetes.io/is-default-class")
		kube.StorageV1().StorageClasses().Update(ctx, std, metav1.UpdateOptions{})
	}
	// The namespace and pull secret the platform team provides.
	kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "models"}}, metav1.CreateOptions{})
	dockercfg, _ := json.Marshal(map[string]any{"auths": map[string]any{prodRegistry + ":5000": map[string]string{
		"auth": base64.StdEncoding.EncodeToString([]byte(prodUser + ":" + prodPassword))}}})
	if _, err := kube.CoreV1().Secrets("models").Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "prod-pull"},
		Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{corev1.DockerConfigJsonKey: dockercfg}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return kube, caFile
}

func ptr[T any](v T) *T { return &v }

// dockerConfig writes a Docker client configuration with credentials for
// the production registry as this machine names it.
func dockerConfig(t *testing.T, password string) string {
	t.Helper()
	dir := t.TempDir()
	b, _ := json.Marshal(map[string]any{"auths": map[string]any{"127.0.0.1:" + prodPort: map[string]string{
		"auth": base64.StdEncoding.EncodeToString([]byte(prodUser + ":" + password))}}})
	os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644)
	return dir
}

// TestE2EProduction deploys the same kubox.yaml to the local cluster and
// to a production-like cluster kubox did not make, with a registry that
// requires TLS and basic auth, and compares what each serves and renders.
func TestE2EProduction(t *testing.T) {
	if r := kubox(context.Background(), "up", "--model=false"); r.code != 0 {
		t.Fatalf("kubox up: %s", r)
	}
	kube, ca := prodEnv(t)
	proj := newProject(t, prodProfile)
	proj.useModel(t, "iris-xgboost", "model.json", "model.json")
	prodFlags := []string{"--context", "kind-" + prodCluster, "--namespace", "models",
		"--registry", "127.0.0.1:" + prodPort + "/ml", "--pull-registry", prodRegistry + ":5000/ml", "--pull-secret", "prod-pull"}
	prod := func(dockerCfg string, args ...string) result {
		cmd := kuboxCmd(context.Background(), append(args, prodFlags...)...)
		cmd.Dir = proj.dir
		cmd.Env = append(cmd.Env, "DOCKER_CONFIG="+dockerCfg, "SSL_CERT_FILE="+ca)
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		start := time.Now()
		cmd.Run()
		return result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errOut.String(), elapsed: time.Since(start)}
	}
	released := func() bool {
		s, err := kube.CoreV1().Secrets("models").List(context.Background(), metav1.ListOptions{LabelSelector: "owner=helm,name=iris-prod"})
		return err == nil && len(s.Items) > 0
	}
	good := dockerConfig(t, prodPassword)

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"wrong credentials fail clearly and deploy nothing", func(t *testing.T) {
			r := prod(dockerConfig(t, "wrong"), "deploy")
			if r.code != 1 || !strings.Contains(r.stderr, "refused the credentials") || !strings.Contains(r.stderr, "docker login") {
				t.Errorf("deploy with wrong credentials: %s", r)
			}
			if released() {
				t.Errorf("a release exists after a failed push")
			}
		}},
		{"a profile with a bad field fails with its line and path and deploys nothing", func(t *testing.T) {
			bad := newProject(t, strings.Replace(prodProfile, "  format: xgboost", "  format: xgboost\n  fromat: xgboost", 1))
			cmd := kuboxCmd(context.Background(), append([]string{"deploy"}, prodFlags...)...)
			cmd.Dir = bad.dir
			out, _ := cmd.CombinedOutput()
			if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), "kubox.yaml:7:3: model.fromat: unknown field") {
				t.Errorf("deploy of a bad profile: %s", out)
			}
			if released() {
				t.Errorf("a release exists after a rejected profile")
			}
		}},
		{"the same kubox.yaml serves the same predictions on both clusters", func(t *testing.T) {
			if r := kuboxIn(context.Background(), proj.dir, "deploy"); r.code != 0 {
				t.Fatalf("local deploy: %s", r)
			}
			if r := prod(good, "deploy"); r.code != 0 {
				t.Fatalf("production deploy: %s", r)
			}
			f := loadFixture(t, "iris-xgboost")
			assertOutputs(t, predict(t, proj.dir, "--data", f.request()), f, 1e-5)
			r := prod(good, "predict", "--data", f.request())
			if r.code != 0 {
				t.Fatalf("production predict: %s", r)
			}
			var got predictResponse
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatal(err)
			}
			assertOutputs(t, got, f, 1e-5)
			pvc, err := kube.CoreV1().PersistentVolumeClaims("models").Get(context.Background(), "iris-prod", metav1.GetOptions{})
			if err != nil || pvc.Spec.StorageClassName == nil || *pvc.Spec.StorageClassName != "fast-ssd" {
				t.Errorf("inference log claim in production: %v %+v", err, pvc)
			}
		}},
		{"render for both clusters differs only in the environment bindings", func(t *testing.T) {
			local := kuboxIn(context.Background(), proj.dir, "render")
			remote := prod(good, "render")
			if local.code != 0 || remote.code != 0 {
				t.Fatalf("render: %s\n%s", local, remote)
			}
			bindings := []string{"kubox-e2e-registry:5000", prodRegistry + ":5000/ml", "prod-pull", "imagePullSecrets", "fast-ssd", "standard", "namespace: kubox", "namespace: models"}
			diff := lineDiff(local.stdout, remote.stdout)
			if len(diff) == 0 {
				t.Fatal("the renders are identical; the bindings did not apply")
			}
			for _, line := range diff {
				ok := false
				for _, b := range bindings {
					ok = ok || strings.Contains(line, b)
				}
				if !ok {
					t.Errorf("a difference that is no binding: %q", line)
				}
			}
			t.Logf("the renders differ in %d lines, all bindings:\n%s", len(diff), strings.Join(diff, "\n"))
			explain := prod(good, "render", "--explain")
			for _, want := range []string{"registry       127.0.0.1:" + prodPort + "/ml", "flag", "storage class  fast-ssd", "cluster"} {
				if !strings.Contains(explain.stdout, want) {
					t.Errorf("render --explain lacks %q:\n%s", want, explain.stdout)
				}
			}
		}},
		{"a GPU the cluster does not have is refused before deploying", func(t *testing.T) {
			gpu := newProject(t, strings.Replace(prodProfile, "serving:\n", "serving:\n  resources: {gpu: 1}\n", 1))
			gpu.useModel(t, "iris-xgboost", "model.json", "model.json")
			cmd := kuboxCmd(context.Background(), append([]string{"deploy"}, prodFlags...)...)
			cmd.Dir = gpu.dir
			cmd.Env = append(cmd.Env, "DOCKER_CONFIG="+good, "SSL_CERT_FILE="+ca)
			out, _ := cmd.CombinedOutput()
			if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), "nvidia.com/gpu") || !strings.Contains(string(out), "gpu: 0") {
				t.Errorf("deploy asking for a GPU: %s", out)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			t.FailNow()
		}
	}
}

// lineDiff returns the lines of a and b that are not common to both
// (a longest-common-subsequence diff), prefixed - and +.
func lineDiff(a, b string) []string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			out, i = append(out, "- "+x[i]), i+1
		default:
			out, j = append(out, "+ "+y[j]), j+1
		}
	}
	for ; i < len(x); i++ {
		out = append(out, "- "+x[i])
	}
	for ; j < len(y); j++ {
		out = append(out, "+ "+y[j])
	}
	return out
}
