package cli

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// run is [Run] as the tests call it.
func run(args []string, stdout, stderr io.Writer) int {
	return Run("test", args, stdout, stderr)
}

// TestHelpListsCommandsInTableOrder checks `fieldbook --help` lists every
// command, in the table's order, and the global flags, on standard output.
func TestHelpListsCommandsInTableOrder(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if code := run([]string{"--help"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, errOut.String())
	}
	help := out.String()
	at := -1
	for _, c := range commands() {
		i := strings.Index(help, "\n  "+c.name+" ")
		if i < 0 {
			t.Fatalf("help does not list %s:\n%s", c.name, help)
		}
		if i < at {
			t.Errorf("help lists %s out of the table's order:\n%s", c.name, help)
		}
		at = i
	}
	for _, flag := range []string{"-data", "-lang", "-v"} {
		if !strings.Contains(help, flag) {
			t.Errorf("help does not name the global flag %s:\n%s", flag, help)
		}
	}
}

// TestCommandHelp checks every command answers --help with its usage line
// and its flags on standard output, exit status 0, and does nothing else
// (no data folder is made).
func TestCommandHelp(t *testing.T) {
	t.Parallel()
	flags := map[string][]string{
		"import":  {"-from-line"},
		"export":  {"-format", "-out", "-from", "-to"},
		"enroll":  {"-hub", "-code"},
		"sample":  {"-activities", "-seed"},
		"locales": {},
	}
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			data := t.TempDir() + "/never-made"
			var out, errOut bytes.Buffer
			if code := run([]string{"--data", data, c.name, "--help"}, &out, &errOut); code != 0 {
				t.Fatalf("exit %d, want 0; stderr:\n%s", code, errOut.String())
			}
			help := out.String()
			if !strings.HasPrefix(help, "usage: fieldbook [global flags] "+c.usage+"\n") || !strings.Contains(help, c.summary) {
				t.Errorf("help does not start with the usage line and summary:\n%s", help)
			}
			for _, f := range flags[c.name] {
				if !strings.Contains(help, "  "+f+" ") {
					t.Errorf("help does not list %s:\n%s", f, help)
				}
			}
			if errOut.Len() > 0 {
				t.Errorf("help wrote to standard error:\n%s", errOut.String())
			}
		})
	}
}

// TestLocalesSubcommandHelp checks the translators' subcommands list their
// own flags.
func TestLocalesSubcommandHelp(t *testing.T) {
	t.Parallel()
	for sub, want := range map[string]string{"check": "-markdown", "new": "-dir", "merge": "usage: fieldbook"} {
		t.Run(sub, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			if code := run([]string{"--data", t.TempDir(), "locales", sub, "--help"}, &out, &errOut); code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, errOut.String())
			}
			if !strings.Contains(out.String(), want) {
				t.Errorf("locales %s --help does not say %s:\n%s", sub, want, out.String())
			}
		})
	}
}

// TestUnknownCommandAndFlag checks wrong calls exit 2 with the usage on
// standard error.
func TestUnknownCommandAndFlag(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{
		"unknown command":     {"nosuch"},
		"unknown global flag": {"--nosuch"},
		"unknown flag":        {"import", "--nosuch", "x.csv"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			if code := run(append([]string{"--data", t.TempDir()}, args...), &out, &errOut); code != 2 {
				t.Fatalf("exit %d, want 2; stderr:\n%s", code, errOut.String())
			}
			if !strings.Contains(errOut.String(), "nosuch") {
				t.Errorf("stderr does not name the wrong word:\n%s", errOut.String())
			}
		})
	}
}
