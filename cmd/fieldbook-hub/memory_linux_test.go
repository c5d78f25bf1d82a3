package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// procKB reads a "Vm…: N kB" line of /proc/PID/status.
func procKB(t *testing.T, pid int, field string) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", field, err)
			}
			return n
		}
	}
	t.Fatalf("/proc/%d/status has no %s", pid, field)
	return 0
}

// TestSignInFloodMemory runs the real hub binary and sends it 200 sign-in
// attempts at once, each for its own name from its own address behind the
// proxy, so that none is stopped by the attempt limits and every one wants
// an argon2id hash of 19 MiB: they used to run all at once (150 took the hub
// from 90 MB to 2.6 GB). The hub's peak resident memory (VmHWM) must stay
// under 300 MB.
func TestSignInFloodMemory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "fieldbook-hub")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	pw := filepath.Join(dir, "pw.txt")
	if err := os.WriteFile(pw, []byte("correct horse battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "user", "add", "--data", data, "--role", "coordinator", "--name", "amina", "--password-file", pw).CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := exec.CommandContext(ctx, bin, "serve", "--data", data, "--addr", addr)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = srv.Wait() })
	base := "http://" + addr
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("the hub did not start: %v", err)
		}
	}
	pid := srv.Process.Pid
	idle := procKB(t, pid, "VmRSS")

	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		counts = map[int]int{}
		begin  = make(chan struct{})
	)
	client := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 200},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := url.Values{"name": {fmt.Sprintf("guess-%d", i)}, "password": {"not the password"}}
			req, _ := http.NewRequest("POST", base+"/dashboard/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", base)
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.%d.%d", i/250, i%250+1))
			<-begin
			status := -1
			if resp, err := client.Do(req); err == nil {
				resp.Body.Close()
				status = resp.StatusCode
			}
			mu.Lock()
			counts[status]++
			mu.Unlock()
		}()
	}
	close(begin)
	wg.Wait()
	rss, hwm := procKB(t, pid, "VmRSS"), procKB(t, pid, "VmHWM")
	t.Logf("hub resident memory: idle %d MB, after 200 parallel sign-ins %d MB, peak (VmHWM) %d MB; statuses %v",
		idle>>10, rss>>10, hwm>>10, counts)
	if hwm >= 300<<10 {
		t.Errorf("the hub's resident memory peaked at %d MB, want under 300 MB", hwm>>10)
	}
	if counts[-1] > 0 || counts[http.StatusInternalServerError] > 0 {
		t.Errorf("failed requests: %v", counts)
	}
	if counts[http.StatusUnauthorized] == 0 {
		t.Errorf("no attempt was checked at all: %v", counts)
	}
}
