// Command probe is the tiny program the end-to-end tests run in pods, from an
// image they build and push to the local registry themselves.
//
//	probe echo WORDS...     print WORDS
//	probe write FILE TEXT   write TEXT to FILE
//	probe read FILE         print FILE
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: probe echo|write|read ...")
	}
	switch cmd, rest := args[0], args[1:]; {
	case cmd == "echo":
		fmt.Println(strings.Join(rest, " "))
	case cmd == "write" && len(rest) == 2:
		return os.WriteFile(rest[0], []byte(rest[1]), 0o644)
	case cmd == "read" && len(rest) == 1:
		b, err := os.ReadFile(rest[0])
		if err != nil {
			return err
		}
		fmt.Print(string(b))
	default:
		return fmt.Errorf("unknown command %q", strings.Join(args, " "))
	}
	return nil
}
