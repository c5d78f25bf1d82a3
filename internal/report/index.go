package report

// IndexName is the covering index that lets every report query read a
// narrow index instead of the activities table with its long texts.
const IndexName = "activities_report"

// IndexSQL creates [IndexName]: live flag and start date first, for the
// period filter, then every column a report reads.
const IndexSQL = `CREATE INDEX IF NOT EXISTS ` + IndexName + ` ON activities (deleted, start_date, org_id, visibility, status,
	kind, country, themes, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17,
	unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)`
