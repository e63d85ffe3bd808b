// Package doctor checks a machine for `kubox up` and says how to fix each
// problem it finds: Docker and its CLI, memory and disk, cgroups, the ports
// kubox publishes, the node and registry images, architecture, and the
// inotify limits `kubox dev` and kind's nodes need.
//
// Every check reads the machine through a small injected collaborator
// (Docker, Files, Ports, Remote, LookPath, the clock), so the verdicts are
// unit-tested against fakes; New wires up the real machine.
package doctor
