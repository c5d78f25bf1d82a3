package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// runAttach attaches FILE... to the activity or resource named by
// --activity or --resource and saves the record, so the references sync.
func runAttach(ctx context.Context, cfg config, fs *flag.FlagSet, args []string, out io.Writer) error {
	activity := fs.String("activity", "", "id of the activity to attach to")
	resource := fs.String("resource", "", "id of the resource to attach to")
	original := fs.Bool("original", false, "send photos as taken instead of a reduced copy without camera data")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	entity, id := model.EntityActivity, *activity
	switch {
	case (*activity == "") == (*resource == ""):
		return fmt.Errorf("%w: attach: give exactly one of --activity ID and --resource ID", errUsage)
	case *resource != "":
		entity, id = model.EntityResource, *resource
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: attach: name at least one FILE", errUsage)
	}
	st, err := store.OpenDir(ctx, cfg.dataDir, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.FileRefs(ctx, entity, id); err != nil {
		return fmt.Errorf("attach: %w", err)
	}
	var refs []protocol.FileRef
	for _, src := range fs.Args() {
		ref, err := st.AttachFile(ctx, src, store.AttachOptions{Original: *original})
		if err != nil {
			if store.IsDiskFull(err) {
				return fmt.Errorf("attach %s: the disk is full; nothing was attached and nothing was lost: %w", src, err)
			}
			return fmt.Errorf("attach: nothing was attached: %w", err)
		}
		refs = append(refs, ref)
	}
	if err := st.AddFileRefs(ctx, entity, id, refs...); err != nil {
		return fmt.Errorf("attach: nothing was attached: %w", err)
	}
	for _, r := range refs {
		fmt.Fprintf(out, "attached %s (%s, %s) as %s\n", r.Name, sizeText(r.Size), r.Type, r.Hash)
	}
	return nil
}

// runFiles lists attached files or marks them to download.
func runFiles(ctx context.Context, cfg config, fs *flag.FlagSet, args []string, out io.Writer) error {
	record := fs.String("record", "", "list: only the files of this record")
	all := fs.Bool("all", false, "fetch: every file not yet downloaded")
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	switch {
	case sub == "list" && len(rest) == 0 && !*all:
	case sub == "fetch" && (len(rest) > 0) != *all && *record == "":
	default:
		return fmt.Errorf("%w: files: want `files list [--record ID]` or `files fetch HASH... | --all`", errUsage)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	files, err := st.AttachedFiles(ctx, *record)
	if err != nil {
		return err
	}
	if sub == "list" {
		for _, f := range files {
			fmt.Fprintf(out, "%s\t%s\t%s\t%s\t%s\t%s %s\n", f.Ref.Hash, f.Ref.Name, sizeText(f.Ref.Size), f.Ref.Type, stateText(f.State), f.Entity, f.RecordID)
		}
		return nil
	}
	hashes := rest
	if *all {
		hashes = nil
		for _, f := range files {
			if w := f.State.Where; w == store.FileNotDownloaded || w == store.FileDownloading {
				hashes = append(hashes, f.Ref.Hash)
			}
		}
	}
	marked := 0
	for _, h := range hashes {
		if err := protocol.CheckHash(h); err != nil {
			return fmt.Errorf("%w: files fetch: %w", errUsage, err)
		}
		if err := st.WantFile(ctx, h, true); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("files fetch: no record here refers to file %s", h)
		} else if err != nil {
			return err
		}
		marked++
	}
	_, err = fmt.Fprintf(out, "%d file(s) marked to download. The next sync (fieldbook sync) downloads them, resuming where an earlier one stopped.\n", marked)
	return err
}

// stateText says where a file is, in the words `files list` prints.
func stateText(s store.FileState) string {
	switch s.Where {
	case store.FileOnDevice:
		return "on this device"
	case store.FileWaiting:
		return "waiting to send"
	case store.FileSending:
		return fmt.Sprintf("sending %d%%", s.Percent())
	case store.FileOnHub:
		return "on the hub"
	case store.FileDownloading:
		return fmt.Sprintf("downloading %d%%", s.Percent())
	}
	if s.Wanted {
		return "on the hub, not downloaded (asked for)"
	}
	return "on the hub, not downloaded"
}

// sizeText writes a size in bytes, KB or MB.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
