package server

import _ "embed"

// openAPIDoc is the OpenAPI 3.1 document of the service, served at
// GET /v1/openapi.json and kept true by TestOpenAPI.
//
//go:embed openapi.json
var openAPIDoc []byte
