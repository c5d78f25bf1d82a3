//go:build !fieldbook_tools

package desktop

import "flag"

// ToolFlags adds no flags: the measuring and screenshot tools are built
// only with the fieldbook_tools tag (tools.go), so the app people run has
// none. The returned function gives the nil [Tool].
func ToolFlags(*flag.FlagSet) func() Tool {
	return func() Tool { return nil }
}
