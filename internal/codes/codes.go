// Package codes holds Fieldbook's code lists: activity kinds, themes,
// statuses, resource kinds, sexes, age bands and countries. Records store the
// stable codes; people see them through the localizer, which looks up the
// message id returned by [MessageID].
package codes

import (
	"slices"
	"strings"
)

// List is an ordered code list with a message-id prefix for its labels.
type List struct {
	// Name names the list in errors and message ids ("kind", "theme", …).
	Name string
	// Codes are the stable codes in display order.
	Codes []string
}

// Has reports whether code belongs to the list.
func (l List) Has(code string) bool { return slices.Contains(l.Codes, code) }

// MessageID returns the localizer message id of code's label, such as
// "kind.school_visit". Countries are named through CLDR instead; see
// [CountryName].
func (l List) MessageID(code string) string { return l.Name + "." + code }

// ActivityKinds are the kinds of advocacy activity field staff log.
var ActivityKinds = List{Name: "kind", Codes: []string{
	"training", "awareness_campaign", "community_dialogue", "school_visit",
	"policy_meeting", "media_engagement", "case_referral", "other",
}}

// Themes are the child-protection themes an activity or resource covers.
var Themes = List{Name: "theme", Codes: []string{
	"child_labour", "child_marriage", "education", "violence", "online_safety",
	"birth_registration", "health_nutrition", "disability_inclusion",
	"conflict_displacement", "climate_environment", "juvenile_justice", "poverty",
}}

// Statuses are the states of an activity record.
var Statuses = List{Name: "status", Codes: []string{"draft", "final"}}

// ResourceKinds are the kinds of knowledge shared across the network.
var ResourceKinds = List{Name: "resourcekind", Codes: []string{
	"guide", "toolkit", "policy_brief", "experience", "question",
}}

// Visibilities say who may see a record: its organization only, or the
// whole network.
var Visibilities = List{Name: "visibility", Codes: []string{"org", "network"}}

// Sexes are the columns of the reach matrix.
var Sexes = List{Name: "sex", Codes: []string{"girls", "boys", "unrecorded"}}

// AgeBands are the rows of the reach matrix.
var AgeBands = List{Name: "ageband", Codes: []string{"0_5", "6_11", "12_17"}}

// Countries lists ISO 3166-1 alpha-2 codes in code order.
var Countries = List{Name: "country", Codes: strings.Fields(countryCodes)}

// NormalizeCountry upper-cases and trims a country code; it does not check it.
func NormalizeCountry(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

const countryCodes = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL
BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE
NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD
SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA
UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`
