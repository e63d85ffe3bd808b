// Package profiles reads kubox.yaml, the profile that describes a model:
// where it is and in what format, what serves it, how it is scaled, and
// sample requests that prove a deploy works.
//
// A profile never describes the environment. Registry, storage class,
// ingress host, pull secrets and namespace differ between a laptop and
// production; kubox resolves them at deploy time, so the same file deploys
// unchanged anywhere. The types here have no field for them, and a test
// keeps it that way.
//
// Loading is strict, because a typo that is silently ignored becomes a
// production incident: unknown fields, wrong types, duplicate keys and
// missing fields are all errors. Every problem in the file is reported at
// once, each at its file:line:column and field path, as an ErrorList.
// Notes that should not stop a deploy, such as an image without a tag,
// come back separately as warnings. Defaults are filled in only after a
// profile is valid, so a value the user wrote is never mistaken for one
// kubox chose.
package profiles
