package dev

import (
	"bufio"
	"context"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
)

// logStreamer follows the logs of every pod of the release once its server
// container has started, each line prefixed with the pod it came from.
type logStreamer struct {
	kube      kubernetes.Interface
	namespace string
	release   string
	print     func(format string, args ...any)

	mu        sync.Mutex
	streaming map[string]bool
}

func (l *logStreamer) observe(ctx context.Context, p *corev1.Pod) {
	if len(p.Status.ContainerStatuses) == 0 {
		return
	}
	cs := p.Status.ContainerStatuses[0]
	if cs.State.Running == nil && cs.State.Terminated == nil {
		return
	}
	key := p.Name + "/" + cs.ContainerID
	l.mu.Lock()
	if l.streaming[key] {
		l.mu.Unlock()
		return
	}
	l.streaming[key] = true
	l.mu.Unlock()
	go l.stream(ctx, p.Name, cs.Name)
}

func (l *logStreamer) stream(ctx context.Context, pod, container string) {
	rc, err := l.kube.CoreV1().Pods(l.namespace).GetLogs(pod, &corev1.PodLogOptions{Container: container, Follow: true}).Stream(ctx)
	if err != nil {
		return
	}
	defer rc.Close()
	prefix := shortName(l.release, pod)
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l.print("  %s | %s", prefix, sc.Text())
	}
}
