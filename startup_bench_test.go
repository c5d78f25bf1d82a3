package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/store"
)

// BenchmarkStartup runs the real fieldbook binary in a virtual X display
// over a data folder of 100,000 activities (FIELDBOOK_BENCH_ACTIVITIES to
// change) and reports the time from process start to the first frame of
// the main window, and the resident memory after scrolling the whole
// activity list: right after the scroll (rss-MB), the highest it reached
// from start to then (rss-peak-MB), and once the window has sat still for
// 8 s (rss-settled-MB). Targets: first frame ≤ 1 s, memory ≤ 200 MB.
//
//	go test -tags migrated_fynedo,no_emoji -run '^$' -bench Startup -benchtime 1x -count 5 .
//
// It builds the binary with the fieldbook_tools tag, which adds the
// measuring flag.
func BenchmarkStartup(b *testing.B) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		b.Skip("Xvfb is not installed")
	}
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("FIELDBOOK_BENCH_ACTIVITIES")); err == nil && v > 0 {
		n = v
	}
	bin := filepath.Join(b.TempDir(), "fieldbook")
	build := exec.Command("go", "build", "-tags", appTags, "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	data := benchData(b, bin, n)
	display := startXvfb(b)

	b.ResetTimer()
	for range b.N {
		m := measureOnce(b, bin, data, display)
		b.ReportMetric(m["first_frame_ms"], "first-frame-ms")
		b.ReportMetric(m["exec_to_frame_ms"], "exec-to-frame-ms")
		b.ReportMetric(m["first_rows_ms"], "first-rows-ms")
		b.ReportMetric(m["rss_mb"], "rss-MB")
		b.ReportMetric(m["rss_anon_mb"], "rss-anon-MB")
		b.ReportMetric(m["rss_peak_mb"], "rss-peak-MB")
		b.ReportMetric(m["rss_settled_mb"], "rss-settled-MB")
		b.ReportMetric(m["go_heap_mb"], "go-heap-MB")
		b.ReportMetric(m["scroll_ms"]/1000, "scroll-s")
	}
}

// appTags are the build tags of the shipped app (the Makefile's TAGS) and
// fieldbook_tools, for gui --measure-startup.
const appTags = "migrated_fynedo,no_emoji,fieldbook_tools"

// benchData returns a data folder with n sample activities, made once and
// kept in the temporary folder between runs (it takes a minute to make).
func benchData(b *testing.B, bin string, n int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("fieldbook-bench-%d-schema%d", n, store.SchemaVersion()))
	done := filepath.Join(dir, "complete")
	if _, err := os.Stat(done); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	cmd := exec.Command(bin, "--data", dir, "sample", "--activities", strconv.Itoa(n))
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("sample data: %v\n%s", err, out)
	}
	if err := os.WriteFile(done, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	return dir
}

// startXvfb starts a virtual display for the benchmark and returns its name.
func startXvfb(b *testing.B) string {
	b.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		b.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	b.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		b.Fatalf("Xvfb display number: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}

// measureOnce runs the app once with --measure-startup and returns what it
// printed (key=value pairs) plus exec_to_frame_ms, measured from outside.
func measureOnce(b *testing.B, bin, data, display string) map[string]float64 {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--data", data, "--lang", "en", "gui", "--measure-startup")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	m := map[string]float64{}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		for _, field := range strings.Fields(sc.Text()) {
			k, v, ok := strings.Cut(field, "=")
			if !ok {
				continue
			}
			if k == "first_frame_ms" {
				m["exec_to_frame_ms"] = float64(time.Since(start).Milliseconds())
			}
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				m[k] = f
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		b.Fatalf("fieldbook --measure-startup: %v\n%s", err, stderr.String())
	}
	for _, k := range []string{"first_frame_ms", "rss_mb", "scroll_ms", "rss_settled_mb"} {
		if _, ok := m[k]; !ok {
			b.Fatalf("fieldbook --measure-startup printed no %s\n%s", k, stderr.String())
		}
	}
	return m
}
