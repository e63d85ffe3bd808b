// Package progress shows what a long command is doing on stderr: a live line
// on a terminal, plain timestamped lines in a CI log, nothing with -q.
package progress
