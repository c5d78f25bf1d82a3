package client

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestNormalizeHubURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want string
		reason   AddressReason
	}{
		{in: "hub.example.org", want: "https://hub.example.org"},
		{in: "  hub.example.org/ ", want: "https://hub.example.org"},
		{in: "hub.example.org:8080", want: "https://hub.example.org:8080"},
		{in: "HUB.Example.ORG", want: "https://hub.example.org"},
		{in: "https://hub.example.org", want: "https://hub.example.org"},
		{in: "HTTPS://hub.example.org/fieldbook/", want: "https://hub.example.org/fieldbook"},
		{in: "http://hub.example.org", want: "http://hub.example.org"},
		{in: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080"},
		{in: "192.168.1.10:8443", want: "https://192.168.1.10:8443"},
		{in: "[::1]:8443", want: "https://[::1]:8443"},
		{in: "localhost", want: "https://localhost"},
		{in: "hub.bücher.example", want: "https://hub.bücher.example"},
		{in: "", reason: AddressEmpty},
		{in: "   ", reason: AddressEmpty},
		{in: "ftp://hub.example.org", reason: AddressScheme},
		{in: "mailto://x", reason: AddressScheme},
		{in: "hub example.org", reason: AddressHost},
		{in: "hub_example.org", reason: AddressHost},
		{in: "https://", reason: AddressHost},
		{in: "-hub.example.org", reason: AddressHost},
		{in: "hub..example.org", reason: AddressHost},
		{in: "[nope]:80", reason: AddressHost},
		{in: "hub.example.org:0", reason: AddressPort},
		{in: "hub.example.org:70000", reason: AddressPort},
		{in: "hub.example.org:abc", reason: AddressPort},
		{in: "hub.example.org:", reason: AddressPort},
		{in: "user:pw@hub.example.org", reason: AddressExtra},
		{in: "hub.example.org/?x=1", reason: AddressExtra},
		{in: "hub.example.org#top", reason: AddressExtra},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := NormalizeHubURL(c.in)
			if c.reason == 0 {
				if err != nil || got != c.want {
					t.Fatalf("NormalizeHubURL(%q) = %q, %v; want %q", c.in, got, err, c.want)
				}
				return
			}
			var ae *AddressError
			if !errors.As(err, &ae) || ae.Reason != c.reason || got != "" {
				t.Fatalf("NormalizeHubURL(%q) = %q, %v; want reason %d", c.in, got, err, c.reason)
			}
			if ProblemOf(err) != ProblemAddress {
				t.Fatalf("ProblemOf(%v) = %d", err, ProblemOf(err))
			}
		})
	}
}

func TestPlainOverInternet(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"http://hub.example.org": true, "http://203.0.113.5:8080": true, "https://hub.example.org": false,
		"http://localhost:8080": false, "http://127.0.0.1": false, "http://192.168.1.10": false,
		"http://10.0.0.2:8080": false, "http://hub.local": false, "http://[::1]:80": false,
	} {
		if got := PlainOverInternet(in); got != want {
			t.Errorf("PlainOverInternet(%q) = %v, want %v", in, got, want)
		}
	}
}

// FuzzNormalizeHubURL checks that whatever is typed, the normaliser either
// refuses it with a reason or returns an http(s) address with a server
// name that it returns unchanged when given again.
func FuzzNormalizeHubURL(f *testing.F) {
	for _, s := range []string{"hub.example.org", "https://hub.example.org:8443/x/", "http://[::1]:80", "a@b", "ftp://x", "x:99999", " ", "%zz", "h\u00fcb.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := NormalizeHubURL(in)
		if err != nil {
			var ae *AddressError
			if !errors.As(err, &ae) || ae.Reason < AddressEmpty || ae.Reason > AddressExtra || got != "" {
				t.Fatalf("NormalizeHubURL(%q) = %q, %v", in, got, err)
			}
			return
		}
		u, perr := url.Parse(got)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			t.Fatalf("NormalizeHubURL(%q) = %q: not a plain http(s) address (%v)", in, got, perr)
		}
		if strings.HasSuffix(got, "/") {
			t.Fatalf("NormalizeHubURL(%q) = %q ends with /", in, got)
		}
		again, err := NormalizeHubURL(got)
		if err != nil || again != got {
			t.Fatalf("NormalizeHubURL(%q) = %q, %v; not stable from %q", got, again, err, in)
		}
	})
}
