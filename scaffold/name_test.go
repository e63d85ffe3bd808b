package scaffold

import (
	"strings"
	"testing"
)

func TestNameFor(t *testing.T) {
	tests := []struct{ dir, want string }{
		{"iris", "iris"},
		{"My Project", "my-project"},
		{"fraud_detector.v2", "fraud-detector-v2"},
		{"2024-churn", "churn"},
		{"--x--", "x"},
		{"a  b", "a-b"},
		{"Été", "t"},
		{"1234", "model"},
		{"/", "model"},
		{"", "model"},
		{strings.Repeat("a", 60), strings.Repeat("a", 53)},
		{strings.Repeat("a", 52) + "_b", strings.Repeat("a", 52)},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			got := nameFor(tt.dir)
			if got != tt.want {
				t.Errorf("nameFor(%q) = %q, want %q", tt.dir, got, tt.want)
			}
			if err := checkName(got); err != nil {
				t.Errorf("nameFor(%q) = %q, which checkName rejects: %v", tt.dir, got, err)
			}
		})
	}
}

func TestCheckName(t *testing.T) {
	for name, ok := range map[string]bool{
		"iris": true, "iris-v2": true, "a": true,
		"": false, "Iris": false, "2iris": false, "iris-": false, "iris_v2": false, strings.Repeat("a", 54): false,
	} {
		if err := checkName(name); (err == nil) != ok {
			t.Errorf("checkName(%q) = %v, want ok %v", name, err, ok)
		}
	}
}
