package model

import (
	"encoding/json"
	"reflect"
	"testing"
)

// ColumnValues must give exactly what decoding each value and writing it
// as a column gives, fast path or not.
func FuzzColumnValues(f *testing.F) {
	for _, s := range []string{`"plain"`, `"caf\u00e9"`, `"tab\t"`, `"\u003c"`, `0`, `-12`, `012`, `1.5`, `1e3`, `null`,
		`["education","health"]`, `[]`, `"é"`, "\"\xff\"", `true`, `-`, `""`, `"a\"b"`} {
		f.Add(s)
	}
	sp := specs[EntityActivity]
	f.Fuzz(func(t *testing.T, value string) {
		for _, name := range []string{"title", "girls_0_5", "lat", "themes"} {
			raw := map[string]json.RawMessage{name: json.RawMessage(value)}
			got, err := ColumnValues(EntityActivity, raw)
			var fs Field
			idx := -1
			for i, x := range sp.Fields {
				if x.Name == name {
					fs, idx = x, i
				}
			}
			v, derr := fs.Decode(json.RawMessage(value))
			if (err != nil) != (derr != nil) {
				t.Fatalf("%s = %q: ColumnValues error %v, decode error %v", name, value, err, derr)
			}
			if err != nil {
				continue
			}
			if want := fs.Column(v); !reflect.DeepEqual(got[idx], want) {
				t.Fatalf("%s = %q: column %#v, want %#v", name, value, got[idx], want)
			}
		}
	})
}

func TestColumnValuesUnknownEntity(t *testing.T) {
	if _, err := ColumnValues("nope", nil); err == nil {
		t.Fatal("unknown entity accepted")
	}
}
