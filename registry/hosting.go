package registry

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
)

// HostingNamespace and HostingName locate the ConfigMap of KEP-1755
// ("Communicating a local registry").
const (
	HostingNamespace = "kube-public"
	HostingName      = "local-registry-hosting"
	hostingKey       = "localRegistryHosting.v1"
	helpURL          = "https://github.com/kubox-dev/kubox#the-local-registry"
)

// HostingConfigMap returns the KEP-1755 ConfigMap that tells tools where to
// push (host) and how the runtime and pods name the same registry.
func HostingConfigMap(s Spec) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      HostingName,
			Namespace: HostingNamespace,
			Labels:    map[string]string{LabelManaged: "true"},
		},
		Data: map[string]string{hostingKey: fmt.Sprintf(
			"host: %q\nhostFromContainerRuntime: %q\nhostFromClusterNetwork: %q\nhelp: %q\n",
			s.Host(), s.ClusterHost(), s.ClusterHost(), helpURL)},
	}
}

// EnsureHosting creates or corrects the KEP-1755 ConfigMap and reports whether
// it changed anything.
func EnsureHosting(ctx context.Context, c typedcorev1.ConfigMapsGetter, s Spec) (changed bool, err error) {
	want := HostingConfigMap(s)
	cms := c.ConfigMaps(HostingNamespace)
	got, err := cms.Get(ctx, HostingName, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		if _, err := cms.Create(ctx, want, metav1.CreateOptions{}); err != nil {
			return false, fmt.Errorf("publishing %s/%s: %w", HostingNamespace, HostingName, err)
		}
		return true, nil
	case err != nil:
		return false, fmt.Errorf("reading %s/%s: %w", HostingNamespace, HostingName, err)
	case got.Data[hostingKey] == want.Data[hostingKey]:
		return false, nil
	}
	got.Data = want.Data
	if got.Labels == nil {
		got.Labels = map[string]string{}
	}
	got.Labels[LabelManaged] = "true"
	if _, err := cms.Update(ctx, got, metav1.UpdateOptions{}); err != nil {
		return false, fmt.Errorf("updating %s/%s: %w", HostingNamespace, HostingName, err)
	}
	return true, nil
}
