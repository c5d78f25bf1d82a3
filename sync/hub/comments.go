package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// commentPlace are the fields that say where a comment belongs and who
// wrote it: set when it is made, never changed.
var commentPlace = []string{"parent_entity", "parent_id", "visibility", "created_by", "created_at"}

// authorizeComment checks that dev may make change c to comment cur (nil
// if new). A comment follows the record it belongs to: a new one's parent
// must exist and be readable by dev (a record of dev's organization, or one
// shared with the network), and the comment takes the parent's
// organization and visibility. Only the device that wrote a comment may
// change it, and never where it belongs. An admin device of the comment's
// organization (the parent's) may hide a comment on its records, and do
// nothing else to it.
//
// chain is dev and the devices it was copied from: a copy may change the
// comments its database wrote before it became a device of its own.
func authorizeComment(ctx context.Context, tx writeTx, dev Device, chain []string, c protocol.Change, cur *record) (*protocol.Rejection, error) {
	if cur == nil {
		return authorizeNewComment(ctx, tx, dev, c)
	}
	if by := cur.text("created_by"); by == dev.ID || slices.Contains(chain, by) {
		for _, f := range commentPlace {
			if v, ok := c.Fields[f]; ok && !sameJSON(v, cur.body[f]) {
				return reject(protocol.KindForbidden, "comment %s: %s cannot change once the comment is made", c.ID, f), nil
			}
		}
		return nil, nil
	}
	if dev.Role == RoleAdmin && dev.Org == cur.org && hidesOnly(c.Fields) {
		return nil, nil
	}
	return reject(protocol.KindForbidden, "comment %s was written by another device; an admin of organization %s may only hide it", c.ID, cur.org), nil
}

func authorizeNewComment(ctx context.Context, tx writeTx, dev Device, c protocol.Change) (*protocol.Rejection, error) {
	var parentEntity, parentID, vis string
	_ = json.Unmarshal(c.Fields["parent_entity"], &parentEntity)
	_ = json.Unmarshal(c.Fields["parent_id"], &parentID)
	_ = json.Unmarshal(c.Fields["visibility"], &vis)
	var parent *record
	if parentEntity == model.EntityActivity || parentEntity == model.EntityResource {
		var err error
		if parent, err = tx.record(ctx, parentID); err != nil {
			return nil, err
		}
	}
	// A missing record and another organization's private one get the same
	// answer, so that the answer does not tell which records exist.
	if parent == nil || parent.entity != parentEntity || (parent.org != dev.Org && parent.text("visibility") != model.VisibilityNetwork) {
		return reject(protocol.KindForbidden, "device of organization %s may not comment on %s %.64q", dev.Org, parentEntity, parentID), nil
	}
	if c.Org != parent.org {
		return reject(protocol.KindForbidden, "a comment belongs to the organization of its record, %s, not %s", parent.org, c.Org), nil
	}
	if pv := parent.text("visibility"); vis != pv {
		return reject(protocol.KindForbidden, "a comment takes the visibility of its record, %q, not %.20q", pv, vis), nil
	}
	return nil, nil
}

// hidesOnly reports whether fields do nothing but set deleted to 1.
func hidesOnly(fields map[string]json.RawMessage) bool {
	for k, v := range fields {
		if k != "deleted" || string(bytes.TrimSpace(v)) != "1" {
			return false
		}
	}
	return len(fields) > 0
}

// sameJSON reports whether pushed value v equals stored value stored.
func sameJSON(v, stored json.RawMessage) bool {
	cv, err := canonical(v)
	return err == nil && bytes.Equal(cv, stored)
}
