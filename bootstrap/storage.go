package bootstrap

import (
	"context"
	"fmt"
	"reflect"

	"github.com/kubox-dev/kubox/registry"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	typedstoragev1 "k8s.io/client-go/kubernetes/typed/storage/v1"
)

// RetainClassName is the StorageClass whose volumes outlive the cluster.
const RetainClassName = "kubox-retain"

// RetainClass returns the StorageClass whose volumes live at
// <storage dir>/<namespace>/<claim> on the host: the same claim finds the
// same data after `kubox down` and `kubox up`.
func RetainClass() *storagev1.StorageClass {
	retain := corev1.PersistentVolumeReclaimRetain
	wait := storagev1.VolumeBindingWaitForFirstConsumer
	return &storagev1.StorageClass{
		TypeMeta: metav1.TypeMeta{APIVersion: "storage.k8s.io/v1", Kind: "StorageClass"},
		ObjectMeta: metav1.ObjectMeta{
			Name:   RetainClassName,
			Labels: map[string]string{registry.LabelManaged: "true"},
		},
		Provisioner:       "rancher.io/local-path",
		ReclaimPolicy:     &retain,
		VolumeBindingMode: &wait,
		Parameters:        map[string]string{"pathPattern": storageSubdir + "/{{ .PVC.Namespace }}/{{ .PVC.Name }}"},
	}
}

// ensureRetainClass creates the class, or re-creates it when it differs
// (StorageClasses are immutable; volumes already bound are not affected).
func ensureRetainClass(ctx context.Context, c typedstoragev1.StorageClassesGetter) (bool, error) {
	want := RetainClass()
	classes := c.StorageClasses()
	got, err := classes.Get(ctx, want.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return false, fmt.Errorf("reading StorageClass %s: %w", want.Name, err)
	case got.Provisioner == want.Provisioner && reflect.DeepEqual(got.Parameters, want.Parameters) &&
		reflect.DeepEqual(got.ReclaimPolicy, want.ReclaimPolicy) && reflect.DeepEqual(got.VolumeBindingMode, want.VolumeBindingMode):
		return false, nil
	default:
		if err := classes.Delete(ctx, want.Name, metav1.DeleteOptions{}); err != nil {
			return false, fmt.Errorf("replacing StorageClass %s: %w", want.Name, err)
		}
	}
	if _, err := classes.Create(ctx, want, metav1.CreateOptions{}); err != nil {
		return false, fmt.Errorf("creating StorageClass %s: %w", want.Name, err)
	}
	return true, nil
}
