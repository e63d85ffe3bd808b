package bootstrap

import (
	"os"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
)

// kubeconfigPath names the file the cluster's context is written to, as
// kubectl chooses it: the explicit path, else the first file in $KUBECONFIG
// that exists (else its last), else ~/.kube/config.
func kubeconfigPath(explicit string) string {
	if explicit != "" {
		return explicit
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if len(rules.Precedence) == 0 {
		return clientcmd.RecommendedHomeFile
	}
	for _, p := range rules.Precedence {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return filepath.Clean(rules.Precedence[len(rules.Precedence)-1])
}

// hasContext reports whether the user's kubeconfig has the named context.
func hasContext(explicit, context string) bool {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = explicit
	cfg, err := rules.Load()
	if err != nil {
		return false
	}
	_, ok := cfg.Contexts[context]
	return ok
}
