// Package ignore decides which paths of a model directory are not part of the
// model: editor and notebook litter, version control metadata, and whatever
// the user lists in the directory's .kuboxignore (gitignore syntax). The
// watcher uses it to skip events and directories; builds can use the same
// Matcher so that what is watched and what is shipped agree.
package ignore
