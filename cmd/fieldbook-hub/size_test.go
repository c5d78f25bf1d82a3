package main

import "testing"

func TestParseSize(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"50MB", 50 << 20, true}, {"2GB", 2 << 30, true}, {"2 gb", 2 << 30, true}, {"1048576", 1 << 20, true},
		{"64K", 64 << 10, true}, {"10B", 10, true},
		{"", 0, false}, {"0", 0, false}, {"-5MB", 0, false}, {"1.5GB", 0, false}, {"MB", 0, false},
		{"2TB", 0, false}, {"9223372036854775807GB", 0, false},
	}
	for _, c := range cases {
		got, err := parseSize(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"50MB", "2GB", "1", "-1", "1e9", " 7 k "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSize(s)
		if err == nil && (n <= 0 || n > 1<<40) {
			t.Fatalf("parseSize(%q) = %d without error", s, n)
		}
		if err != nil && n != 0 {
			t.Fatalf("parseSize(%q) = %d with error", s, n)
		}
	})
}
