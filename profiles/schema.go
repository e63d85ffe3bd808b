package profiles

import _ "embed"

// schemaJSON is a string so that no caller can change the embedded schema
// through the slice Schema returns.
//
//go:embed schema.json
var schemaJSON string

// Schema returns the JSON Schema (draft 2020-12) of kubox.yaml, for editors
// to complete and check profiles as they are written (`kubox schema`). It
// sees what can be seen in one file: unknown fields, types, enums, ranges
// and patterns. Load remains the authority: it also checks what a schema
// cannot express, such as unique names, data that fits its shape and
// limits that are at least their requests. Each call returns a new copy.
func Schema() []byte { return []byte(schemaJSON) }
