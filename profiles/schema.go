package profiles

import _ "embed"

// schemaJSON is a string so that no caller can change the embedded schema
// through the slice Schema returns.
//
//go:embed schema.json
var schemaJSON string

// Schema returns the JSON Schema (draft 2020-12) of kubox.yaml, which
// `kubox schema` prints for editors to complete and check profiles as they
// are written. It checks each field on its own and against its neighbours:
// unknown fields, types, enums, ranges, patterns and which runtime fields
// go together. Load remains the authority, because a schema cannot express
// everything: unique names, data that fills its shape, limits at least
// their requests, files that exist. Each call returns a new copy.
func Schema() []byte { return []byte(schemaJSON) }
