package store

import (
	"context"
	"fmt"
)

// CountryCount is how many live activities and organizations on this
// device name a country.
type CountryCount struct {
	Country string
	Count   int
}

// CountryUse returns the countries the network works in as this device
// knows it: every country named by an activity or an organization that is
// not deleted, the most named first (ties by code). It is safe for
// concurrent use.
func (s *Store) CountryUse(ctx context.Context) ([]CountryCount, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT country, count(*) AS n FROM (
			SELECT country FROM activities WHERE deleted = 0 AND country != ''
			UNION ALL SELECT country FROM organizations WHERE deleted = 0 AND country != '')
		GROUP BY country ORDER BY n DESC, country`)
	if err != nil {
		return nil, fmt.Errorf("store: country use: %w", err)
	}
	defer rows.Close()
	out := []CountryCount{}
	for rows.Next() {
		var c CountryCount
		if err := rows.Scan(&c.Country, &c.Count); err != nil {
			return nil, fmt.Errorf("store: country use: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: country use: %w", err)
	}
	return out, nil
}
