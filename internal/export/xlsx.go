package export

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/a20-network/fieldbook/internal/chart"
)

// WriteXLSX writes tables as a workbook: one sheet per table, named by its
// title, with a bold header row and — for every table with more than one
// row and a number column — a native Excel chart of its first number column
// beside the data (a line for months, bars otherwise).
func WriteXLSX(w io.Writer, tables []Table) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("export: XLSX style: %w", err)
	}
	used := map[string]bool{}
	for i, t := range tables {
		name := sheetName(t.Title, t.Key, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return fmt.Errorf("export: XLSX sheet %s: %w", t.Key, err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("export: XLSX sheet %s: %w", t.Key, err)
		}
		if err := writeSheet(f, name, t, bold); err != nil {
			return fmt.Errorf("export: XLSX sheet %s: %w", t.Key, err)
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("export: write XLSX: %w", err)
	}
	return nil
}

func writeSheet(f *excelize.File, name string, t Table, bold int) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	widths := columnWidths(t)
	for i, wdt := range widths {
		if err := sw.SetColWidth(i+1, i+1, wdt); err != nil {
			return err
		}
	}
	head := make([]any, len(t.Header))
	for i, h := range t.Header {
		head[i] = excelize.Cell{Value: h, StyleID: bold}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for n, row := range t.Rows {
		cells := make([]any, len(row))
		for i, c := range row {
			if s, ok := c.(string); ok {
				c = cellText(s)
			}
			cells[i] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	col := firstNumberColumn(t)
	if t.Key == "summary" || len(t.Rows) < 2 || col < 0 {
		return nil
	}
	last := len(t.Rows) + 1
	if t.Key == "sex_age" {
		last-- // leave out the totals row
	}
	quoted := "'" + name + "'"
	cols := []int{col}
	if t.Key == "sex_age" {
		cols = []int{1, 2, 3} // one series per sex, grouped by age band
	}
	var series []excelize.ChartSeries
	for _, c := range cols {
		colName, _ := excelize.ColumnNumberToName(c + 1)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$%s$1", quoted, colName),
			Categories: fmt.Sprintf("%s!$A$2:$A$%d", quoted, last),
			Values:     fmt.Sprintf("%s!$%s$2:$%s$%d", quoted, colName, colName, last),
		})
	}
	typ := excelize.Bar
	if t.Chart == chart.Line {
		typ = excelize.Line
	}
	anchor, _ := excelize.ColumnNumberToName(len(t.Header) + 2)
	return f.AddChart(name, anchor+"2", &excelize.Chart{
		Type:   typ,
		Series: series,
		Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: t.Title}}},
		Legend: excelize.ChartLegend{Position: "bottom"},
	})
}

// firstNumberColumn returns the index of the first column whose cells are
// numbers, or -1.
func firstNumberColumn(t Table) int {
	if len(t.Rows) == 0 {
		return -1
	}
	for i, c := range t.Rows[0] {
		if _, ok := c.(int); ok {
			return i
		}
	}
	return -1
}

func columnWidths(t Table) []float64 {
	w := make([]float64, len(t.Header))
	fit := func(i int, s string) {
		if i < len(w) {
			w[i] = max(w[i], min(float64(len([]rune(s)))+2, 60))
		}
	}
	for i, h := range t.Header {
		fit(i, h)
	}
	for _, row := range t.Rows {
		for i, c := range row {
			fit(i, fmt.Sprint(c))
		}
	}
	for i := range w {
		w[i] = max(w[i], 8)
	}
	return w
}
