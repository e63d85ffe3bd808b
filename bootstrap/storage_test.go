package bootstrap

import (
	"context"
	"testing"

	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestEnsureRetainClass(t *testing.T) {
	t.Parallel()
	stale := RetainClass()
	stale.Parameters = map[string]string{"pathPattern": "elsewhere"}
	tests := []struct {
		name        string
		existing    []*storagev1.StorageClass
		wantChanged bool
	}{
		{"missing", nil, true},
		{"in place", []*storagev1.StorageClass{RetainClass()}, false},
		{"drifted", []*storagev1.StorageClass{stale}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := fake.NewClientset()
			for _, sc := range tt.existing {
				if _, err := c.StorageV1().StorageClasses().Create(context.Background(), sc, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			changed, err := ensureRetainClass(context.Background(), c.StorageV1())
			if err != nil || changed != tt.wantChanged {
				t.Fatalf("ensureRetainClass() = %v, %v, want %v, nil", changed, err, tt.wantChanged)
			}
			got, err := c.StorageV1().StorageClasses().Get(context.Background(), RetainClassName, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got.Parameters["pathPattern"] != RetainClass().Parameters["pathPattern"] || *got.ReclaimPolicy != "Retain" {
				t.Errorf("class after ensure = %+v", got)
			}
			if changed, err := ensureRetainClass(context.Background(), c.StorageV1()); changed || err != nil {
				t.Errorf("second ensureRetainClass() = %v, %v, want false, nil", changed, err)
			}
		})
	}
}
