package cli

import (
	"context"
	"fmt"
	"golang.org/x/text/language"
	"log/slog"
	"time"

	"github.com/a20-network/fieldbook/internal/export"
	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/store"
)

// maxExportedActivities caps the activity list written beside a report.
const maxExportedActivities = 1_000_000

// deviceReport computes the report for req's dates with labels in req's
// language.
func deviceReport(ctx context.Context, req exportRequest) (report.Report, export.Labels, error) {
	bundle, errs := locales.Load("")
	for _, err := range errs {
		// A broken message file costs some labels, not the export.
		slog.Warn("localesNotLoaded", "err", err)
	}
	l := bundle.Localizer(req.lang)
	r, err := req.store.Report(ctx, report.Filter{From: req.from, To: req.to})
	if err != nil {
		return r, export.Labels{}, err
	}
	return r, export.NewLabels(l, req.from, req.to), nil
}

// exportReportCSV writes the device report as one sectioned CSV.
func exportReportCSV(ctx context.Context, req exportRequest) error {
	r, lb, err := deviceReport(ctx, req)
	if err != nil {
		return err
	}
	return export.WriteSectionedCSV(req.out, export.Tables(r, lb))
}

// exportReportXLSX writes the device report, a sheet and a chart per
// breakdown, and the period's activities on a sheet of their own.
func exportReportXLSX(ctx context.Context, req exportRequest) error {
	r, lb, err := deviceReport(ctx, req)
	if err != nil {
		return err
	}
	as, err := req.store.Activities(ctx, store.ActivityFilter{From: req.from, To: req.to, Limit: maxExportedActivities})
	if err != nil {
		return err
	}
	rows := make([]export.ActivityRow, len(as))
	for i, a := range as {
		rows[i] = export.ActivityRow{Date: a.StartDate, Title: a.Title, Country: a.Country, Kind: a.Kind, Place: a.Place,
			Status: a.Status, Summary: a.Summary, Themes: a.Themes, Children: a.Reach.Children(), Adults: a.Reach.Adults,
			Files: export.FileNames(a.Files)}
	}
	return export.WriteXLSX(req.out, append(export.Tables(r, lb), export.ActivityTable(rows, lb)))
}

// exportReportPDF writes the one-page PDF summary of the device report.
func exportReportPDF(ctx context.Context, req exportRequest) error {
	if tag := language.Make(req.lang); req.lang != "" && !export.PDFDraws(tag) {
		slog.Info("pdfLabelsInEnglish", "lang", req.lang)
		req.lang = "en"
	}
	r, lb, err := deviceReport(ctx, req)
	if err != nil {
		return err
	}
	if err := export.WritePDF(req.out, r, lb, export.PDFOptions{Created: time.Now()}); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return nil
}
