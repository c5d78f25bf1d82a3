package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// BOM is the UTF-8 byte-order mark CSV files start with, so that
// spreadsheet programs read them as UTF-8.
const BOM = "\ufeff"

// WriteCSV writes t as one CSV file: byte-order mark, header, rows.
func WriteCSV(w io.Writer, t Table) error {
	if _, err := io.WriteString(w, BOM); err != nil {
		return fmt.Errorf("export: write CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := writeTable(cw, t); err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export: write CSV %s: %w", t.Key, err)
	}
	return nil
}

// WriteSectionedCSV writes every table into one CSV file: each section is
// the table's title on a row of its own, its header and rows, then an empty
// row.
func WriteSectionedCSV(w io.Writer, tables []Table) error {
	if _, err := io.WriteString(w, BOM); err != nil {
		return fmt.Errorf("export: write CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	for i, t := range tables {
		if err := cw.Write([]string{cellText(t.Title)}); err != nil {
			return fmt.Errorf("export: write CSV section %s: %w", t.Key, err)
		}
		if err := writeTable(cw, t); err != nil {
			return err
		}
		if i < len(tables)-1 {
			if err := cw.Write([]string{""}); err != nil {
				return fmt.Errorf("export: write CSV: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export: write CSV: %w", err)
	}
	return nil
}

func writeTable(cw *csv.Writer, t Table) error {
	head := make([]string, len(t.Header))
	for i, h := range t.Header {
		head[i] = cellText(h)
	}
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("export: write CSV %s header: %w", t.Key, err)
	}
	for n, row := range t.Rows {
		rec := make([]string, len(row))
		for i, c := range row {
			switch v := c.(type) {
			case int:
				rec[i] = strconv.Itoa(v)
			case string:
				rec[i] = cellText(v)
			default:
				rec[i] = cellText(fmt.Sprint(v))
			}
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("export: write CSV %s row %d: %w", t.Key, n+1, err)
		}
	}
	return nil
}

// cellText defuses text a spreadsheet would run as a formula: a cell that
// starts with = + - @ or a tab gets a leading apostrophe.
func cellText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
