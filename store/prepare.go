package store

import (
	"errors"
	"fmt"

	"github.com/a20-network/fieldbook/internal/filetype"
	"github.com/a20-network/fieldbook/model"
)

// FileChecks is the [Preparer] a store uses unless told otherwise: the type
// from the content against the network's allow-list ([filetype.Detect]), a
// photo reduced to [filetype.DefaultMaxSide] pixels on its long side
// without its camera data ([filetype.Reduce]) unless the original is asked
// for, and a thumbnail of every image ([filetype.Thumbnail]).
type FileChecks struct{}

// Prepare implements [Preparer].
func (FileChecks) Prepare(content []byte, name string, original bool) (Prepared, error) {
	kind, err := filetype.Detect(content, name)
	if err != nil {
		return Prepared{}, err
	}
	p := Prepared{Type: kind.MIME}
	if kind.Photo && !original {
		r, err := filetype.Reduce(content, filetype.DefaultMaxSide, filetype.DefaultQuality)
		if err != nil {
			return Prepared{}, fmt.Errorf("store: prepare photo %s: %w", name, err)
		}
		if r.Changed {
			p.Send, p.Type = r.Data, r.MIME
		}
	}
	if kind.Category == filetype.CategoryImage {
		thumb, err := filetype.Thumbnail(content)
		switch {
		case errors.Is(err, filetype.ErrNotPhoto):
		case err != nil:
			return Prepared{}, fmt.Errorf("store: thumbnail of %s: %w", name, err)
		case len(thumb) <= model.MaxThumb:
			p.Thumb = thumb
		}
	}
	return p, nil
}
