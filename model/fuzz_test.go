package model

import (
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/sync/protocol"
)

// FuzzFileRefsJSON decodes arbitrary JSON as a pulled files field: it is
// either refused with an error or read into references that write back
// as they read and that validation judges without panicking.
func FuzzFileRefsJSON(f *testing.F) {
	f.Add([]byte(`[{"hash":"` + strings.Repeat("a", 64) + `","name":"g.pdf","size":3,"type":"application/pdf","thumb":"AQID"}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"hash":1}`))
	f.Add([]byte(`[{"thumb":"!!"}]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, fs := range []Field{{"files", TypeFiles}, {"file", TypeFile}} {
			v, err := fs.Decode(raw)
			if err != nil {
				continue
			}
			back, err := fs.Decode(EncodeValue(v))
			if err != nil || !EqualValues(v, back) {
				t.Fatalf("%s: %v does not survive a round trip: %v", fs.Name, v, err)
			}
			var c checker
			switch x := v.(type) {
			case []protocol.FileRef:
				c.files(fs.Name, x, MaxFiles)
			case *protocol.FileRef:
				if x != nil {
					c.files(fs.Name, []protocol.FileRef{*x}, 1)
				}
			}
			for _, e := range c.errs {
				_ = e.Error()
			}
		}
	})
}
