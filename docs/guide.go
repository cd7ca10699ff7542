// Package docs carries the guides the app shows itself, so that the
// connection dialog can open the admin guide offline, exactly as the
// repository has it.
package docs

import _ "embed"

// ConnectSalesforce is docs/CONNECT-SALESFORCE.md: how an admin sets up the
// External Client App, how users connect, and the troubleshooting table
// every login error points at.
//
//go:embed CONNECT-SALESFORCE.md
var ConnectSalesforce string
