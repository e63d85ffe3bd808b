package deploy

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// logTail is how many of a failing container's last log lines are shown.
const logTail = 15

// diagnose describes why a pod is failing: its recent events and the last
// lines its container wrote (the previous run's, after a crash).
func diagnose(ctx context.Context, kube kubernetes.Interface, ns, pod string) string {
	var b strings.Builder
	evs, err := kube.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=" + pod})
	if err == nil && len(evs.Items) > 0 {
		sort.Slice(evs.Items, func(i, j int) bool { return eventTime(evs.Items[i]).Time.Before(eventTime(evs.Items[j]).Time) })
		fmt.Fprintf(&b, "events of pod %s:\n", pod)
		items := evs.Items
		if len(items) > 10 {
			items = items[len(items)-10:]
		}
		for _, e := range items {
			fmt.Fprintf(&b, "  %-7s %-16s %s\n", e.Type, e.Reason, strings.TrimSpace(e.Message))
		}
	}
	p, err := kube.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return b.String()
	}
	for _, c := range p.Status.ContainerStatuses {
		previous := c.RestartCount > 0 && c.State.Running == nil
		tail := int64(logTail)
		raw, err := kube.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{Container: c.Name, TailLines: &tail, Previous: previous}).DoRaw(ctx)
		if err != nil || len(strings.TrimSpace(string(raw))) == 0 {
			continue
		}
		fmt.Fprintf(&b, "last log lines of container %s:\n", c.Name)
		for _, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
			fmt.Fprintf(&b, "  | %s\n", line)
		}
	}
	return b.String()
}

func eventTime(e corev1.Event) metav1.Time {
	if !e.LastTimestamp.IsZero() {
		return e.LastTimestamp
	}
	if !e.EventTime.IsZero() {
		return metav1.NewTime(e.EventTime.Time)
	}
	return e.CreationTimestamp
}
