package export

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/locales"
)

// NewLabels returns the export labels in l's language for a report covering
// from..to (YYYY-MM-DD; either may be empty for an open end). Codes are
// named through the localizer; countries by their CLDR name in l's language.
func NewLabels(l *locales.Localizer, from, to string) Labels {
	period := l.T("report.period.all")
	if from != "" || to != "" {
		period = l.T("report.period.range", "From", from, "To", to)
	}
	regions := display.Regions(l.Tag())
	return Labels{
		Title: l.T("report.title"), Period: period,
		Summary: l.T("report.summary"), ByMonth: l.T("report.by_month"), ByTheme: l.T("report.by_theme"),
		ByKind: l.T("report.by_kind"), ByCountry: l.T("report.by_country"),
		Month: l.T("report.month"), Theme: l.T("report.theme"), Kind: l.T("report.kind"), Country: l.T("report.country"),
		Activities: l.T("report.activities"), Children: l.T("report.children"), Adults: l.T("report.adults"),
		AgeBand: l.T("report.age_band"), Total: l.T("report.total"), SexAge: l.T("report.by_sex_age"),
		Other: l.T("report.other_label"), NoData: l.T("report.no_data"),
		ActivityTitle: l.T("report.activity_title"), ActivitySummary: l.T("report.activity_summary"),
		Date: l.T("report.date"), Organization: l.T("report.organization"), Place: l.T("report.place"),
		Status: l.T("report.status"), Files: l.T("files.title"),
		Code: func(list, code string) string {
			if list == "country" {
				return CountryName(regions, code)
			}
			return l.T(codes.List{Name: list}.MessageID(code))
		},
	}
}

// CountryName returns the name of ISO 3166-1 country code in the namer's
// language, or the code itself when it is not a known region.
func CountryName(n display.Namer, code string) string {
	r, err := language.ParseRegion(code)
	if err != nil || n == nil {
		return code
	}
	if s := n.Name(r); s != "" {
		return s
	}
	return code
}
