package store

import "github.com/a20-network/fieldbook/model"

// entitySpec is an entity of the record model ([model.Spec]: its table and
// syncable fields) with what only the device's database has for it.
type entitySpec struct {
	*model.Spec
	// fts names the full-text table indexing ftsCols, or "" for none. New
	// rows are indexed by [entitySpec.indexNewRows]; triggers handle
	// updates and deletes.
	fts     string
	ftsCols string
}

// deviceSpec returns the device's spec of entity, which the model must know.
func deviceSpec(entity, fts, ftsCols string) *entitySpec {
	sp, ok := model.SpecOf(entity)
	if !ok {
		panic("store: the record model has no entity " + entity)
	}
	return &entitySpec{Spec: sp, fts: fts, ftsCols: ftsCols}
}

var (
	activitySpec     = deviceSpec(model.EntityActivity, "activities_fts", "title, summary, place, partners")
	resourceSpec     = deviceSpec(model.EntityResource, "resources_fts", "title, body")
	commentSpec      = deviceSpec(model.EntityComment, "", "")
	organizationSpec = deviceSpec(model.EntityOrganization, "", "")
)

var specs = map[string]*entitySpec{
	model.EntityActivity: activitySpec, model.EntityResource: resourceSpec,
	model.EntityComment: commentSpec, model.EntityOrganization: organizationSpec,
}
