package model

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/sync/protocol"
)

// validActivity returns an activity that passes validation.
func validActivity() Activity {
	lat, lon := -13.98, 33.78
	return Activity{
		Meta: Meta{Visibility: VisibilityOrg}, Kind: "awareness_campaign", Title: "Campaign in Mzuzu", StartDate: "2026-05-01",
		Country: "MW", Lat: &lat, Lon: &lon, Themes: []string{"violence"}, Reach: Reach{Unrecorded: [3]int{4, 0, 0}, Adults: 20},
		Status: "draft",
	}
}

func TestValidActivityEdges(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name   string
		change func(a *Activity)
	}{
		{"no location", func(a *Activity) { a.Lat, a.Lon = nil, nil }},
		{"poles and date line", func(a *Activity) { a.Lat, a.Lon = f(-90), f(180) }},
		{"zero coordinates", func(a *Activity) { a.Lat, a.Lon = f(0), f(0) }},
		{"same-day end", func(a *Activity) { a.EndDate = a.StartDate }},
		{"no end", func(a *Activity) { a.EndDate = "" }},
		{"no themes", func(a *Activity) { a.Themes = nil }},
		{"largest count", func(a *Activity) { a.Reach.Adults = MaxCount }},
		{"title at limit", func(a *Activity) { a.Title = strings.Repeat("ñ", MaxTitle) }},
		{"draft", func(a *Activity) { a.Status = "draft" }},
		{"network", func(a *Activity) { a.Visibility = VisibilityNetwork }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := validActivity()
			a.Visibility = VisibilityOrg
			tt.change(&a)
			if err := a.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestOtherEntitiesValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		err   error
		field string
	}{
		{"resource without title", (&Resource{Meta: Meta{Visibility: "network"}, Kind: "guide"}).Validate(), "title"},
		{"resource unknown kind", (&Resource{Meta: Meta{Visibility: "network"}, Kind: "video", Title: "x"}).Validate(), "kind"},
		{"resource ftp link", (&Resource{Meta: Meta{Visibility: "network"}, Kind: "guide", Title: "x", Link: "ftp://example.org/a"}).Validate(), "link"},
		{"resource unknown country", (&Resource{Meta: Meta{Visibility: "network"}, Kind: "guide", Title: "x", Countries: []string{"MW", "QQ"}}).Validate(), "countries"},
		{"resource body too long", (&Resource{Meta: Meta{Visibility: "network"}, Kind: "guide", Title: "x", Body: strings.Repeat("b", MaxBody+1)}).Validate(), "body"},
		{"comment without body", (&Comment{Meta: Meta{Visibility: "org"}, ParentEntity: EntityActivity, ParentID: "x"}).Validate(), "body"},
		{"comment on comment", (&Comment{Meta: Meta{Visibility: "org"}, ParentEntity: EntityComment, ParentID: "x", Body: "b"}).Validate(), "parent_entity"},
		{"comment too long", (&Comment{Meta: Meta{Visibility: "org"}, ParentEntity: EntityActivity, ParentID: "x", Body: strings.Repeat("b", MaxComment+1)}).Validate(), "body"},
		{"organization without name", (&Organization{Meta: Meta{Visibility: "network"}, Country: "MW"}).Validate(), "name"},
		{"organization without country", (&Organization{Meta: Meta{Visibility: "network"}, Name: "A"}).Validate(), "country"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ve *ValidationError
			if !errors.As(tt.err, &ve) {
				t.Fatalf("err = %v", tt.err)
			}
			if _, ok := ve.Field(tt.field); !ok {
				t.Fatalf("errors %+v lack %s", ve.Fields, tt.field)
			}
		})
	}
}

// rawFields is a record's fields as JSON, the way the hub holds them.
func rawFields(f Fields) map[string]json.RawMessage {
	raw := make(map[string]json.RawMessage, len(f))
	for k, v := range f {
		raw[k] = EncodeValue(v)
	}
	return raw
}

// ValidateFields judges a record given as JSON exactly as Validate judges
// the record itself.
func TestValidateFieldsAgreesWithValidate(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", MaxTitle+1)
	acts := map[string]func(a *Activity){
		"valid":      func(*Activity) {},
		"no title":   func(a *Activity) { a.Title = "" },
		"lat alone":  func(a *Activity) { a.Lon = nil },
		"two wrongs": func(a *Activity) { a.Title, a.Reach.Boys[2] = long, -1 },
		"bad file": func(a *Activity) {
			a.Files = []protocol.FileRef{{Hash: "x", Name: "a.pdf", Size: 1, Type: "application/pdf"}}
		},
	}
	type record interface {
		Fields() Fields
		Validate() error
	}
	records := map[string]record{
		"resource":             &Resource{Meta: Meta{Visibility: VisibilityNetwork}, Kind: "guide", Title: "Guide", Link: "https://example.org"},
		"resource bad link":    &Resource{Meta: Meta{Visibility: VisibilityNetwork}, Kind: "guide", Title: "Guide", Link: "mailto:x"},
		"comment":              &Comment{Meta: Meta{Visibility: VisibilityOrg}, ParentEntity: EntityActivity, ParentID: "a1", Body: "Well done"},
		"comment on nothing":   &Comment{Meta: Meta{Visibility: VisibilityOrg}, ParentEntity: "meeting", ParentID: "a1", Body: "?"},
		"organization":         &Organization{Meta: Meta{Visibility: VisibilityNetwork}, Name: "Org", Country: "KE"},
		"organization nowhere": &Organization{Meta: Meta{Visibility: VisibilityNetwork}, Name: "Org", Country: "ZZ"},
	}
	for name, change := range acts {
		a := validActivity()
		change(&a)
		records["activity "+name] = &a
	}
	entity := func(r record) string {
		switch r.(type) {
		case *Activity:
			return EntityActivity
		case *Resource:
			return EntityResource
		case *Comment:
			return EntityComment
		}
		return EntityOrganization
	}
	for name, r := range records {
		want, got := r.Validate(), ValidateFields(entity(r), rawFields(r.Fields()))
		if (want == nil) != (got == nil) || (want != nil && want.Error() != got.Error()) {
			t.Errorf("%s: ValidateFields = %v, Validate = %v", name, got, want)
		}
	}
	if err := ValidateFields("meeting", nil); err == nil {
		t.Error("an unknown entity passed")
	}
}

// FuzzValidateFields gives every field of every entity an arbitrary JSON
// value, as a device may send it to the hub: the record is judged, never
// with a panic, and a value of the wrong type is named as such.
func FuzzValidateFields(f *testing.F) {
	for _, s := range []string{`""`, `"x"`, `0`, `-1`, `1e400`, `1.5`, `null`, `[]`, `["education"]`, `[1]`, `{}`, `true`,
		`[{"hash":"` + strings.Repeat("a", 64) + `","name":"g.pdf","size":3,"type":"application/pdf"}]`, `"2026-02-30"`} {
		f.Add(uint8(0), s)
	}
	f.Fuzz(func(t *testing.T, pick uint8, value string) {
		entity := Entities()[int(pick)%len(Entities())]
		for _, name := range FieldNames(entity) {
			raw := ZeroFields(entity)
			raw[name] = json.RawMessage(value)
			err := ValidateFields(entity, raw)
			var ve *ValidationError
			if err != nil && !errors.As(err, &ve) {
				t.Fatalf("%s.%s = %q: %v is not a *ValidationError", entity, name, value, err)
			}
			if ve != nil {
				_ = ve.Error()
				if _, derr := (Field{Name: name, Type: typeOf(entity, name)}).Decode(json.RawMessage(value)); derr != nil {
					if fe, ok := ve.Field(name); !ok || fe.Reason != "bad_type" {
						t.Fatalf("%s.%s = %q does not decode (%v) but is judged %v", entity, name, value, derr, ve)
					}
				}
			}
		}
	})
}

// typeOf returns the type of field name of entity.
func typeOf(entity, name string) FieldType {
	sp, _ := SpecOf(entity)
	for _, fs := range sp.Fields {
		if fs.Name == name {
			return fs.Type
		}
	}
	return -1
}
