package scaffold

import (
	"fmt"
	"strings"
)

// maxNameLen is Helm's limit on a release name, which the profile's name
// becomes.
const maxNameLen = 53

// fallbackName is used when a directory's name has no letter to start from.
const fallbackName = "model"

// nameFor makes a profile name, a DNS-1035 label of at most 53 characters,
// from a directory name: lower case, every other character a single '-',
// starting with a letter. A name with no letter in it gives "model".
func nameFor(dir string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(dir) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9' && b.Len() > 0:
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			// Leading digits and separators are dropped: a label starts
			// with a letter.
			b.WriteByte('-')
		}
	}
	name := b.String()
	if len(name) > maxNameLen {
		name = name[:maxNameLen]
	}
	name = strings.TrimRight(name, "-")
	if name == "" {
		return fallbackName
	}
	return name
}

// checkName rejects a name the user chose that the profile would refuse,
// suggesting the nearest one that works.
func checkName(name string) error {
	valid := len(name) <= maxNameLen && name != "" && name[0] >= 'a' && name[0] <= 'z' && !strings.HasSuffix(name, "-")
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			valid = false
		}
	}
	if valid {
		return nil
	}
	return fmt.Errorf("invalid name %q: it names the Helm release, the Service and the model, so use up to %d lower case letters, digits and '-', starting with a letter (for example --name %s)",
		name, maxNameLen, nameFor(name))
}
