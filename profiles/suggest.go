package profiles

import (
	"fmt"
	"strings"
)

// unknownHint completes "unknown field" with what the user most likely
// meant: a near spelling, or, for a field that describes a cluster, where
// that setting lives instead.
func unknownHint(key string, known []string) string {
	if s := suggest(key, known); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	if env := environmentWord(key); env != "" {
		return fmt.Sprintf(": the %s describes the environment, not the model; kubox resolves it at deploy time (see kubox render --explain), so that one profile deploys anywhere", env)
	}
	return fmt.Sprintf(" (want one of %s)", strings.Join(known, ", "))
}

// environmentWord names the environment binding key seems to carry, or
// returns "". Matching is loose on purpose: it only shapes a message.
func environmentWord(key string) string {
	k := strings.ToLower(key)
	for _, w := range []struct{ match, name string }{
		{"registry", "registry"},
		{"storageclass", "storage class"},
		{"ingress", "ingress host"},
		{"host", "host name"},
		{"namespace", "namespace"},
		{"pullsecret", "pull secret"},
		{"kubeconfig", "kube context"},
		{"kubecontext", "kube context"},
		{"cluster", "cluster"},
	} {
		if strings.Contains(k, w.match) {
			return w.name
		}
	}
	return ""
}

// suggest returns the candidate word most likely meant, or "". A
// difference of case alone always matches; otherwise up to two edits
// (a swap of neighbours counts as one) and fewer than half the letters.
func suggest(word string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if strings.EqualFold(word, c) {
			return c
		}
		d := editDistance(strings.ToLower(word), strings.ToLower(c))
		if d < bestDist && 2*d < len(word) {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and transpositions of adjacent letters, the
// usual typing mistakes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// d[i][j] is the distance between ra[:i] and rb[:j].
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
