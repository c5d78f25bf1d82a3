package dashboard_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/dashboard"
	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// pdf returns n bytes that read as a PDF, different for each seed.
func pdf(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, seed+1))
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	copy(b, "%PDF-1.7\n")
	return b
}

// photo returns a small JPEG.
func photo(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sizeEN is how an English page writes a small size.
func sizeEN(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%d KB", (n+512)>>10)
}

// ref is the reference a record makes to data named name.
func ref(name, kind string, data []byte) protocol.FileRef {
	return protocol.FileRef{Hash: sum(data), Name: name, Size: int64(len(data)), Type: kind}
}

// upload sends data whole, as the device of token does after the record
// that refers to it.
func (e *hubEnv) upload(t testing.TB, token string, data []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, e.srv.URL+protocol.PathFiles+sum(data)+"?offset=0", bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set(protocol.HeaderSize, strconv.Itoa(len(data)))
	req.Header.Set(protocol.HeaderChunkSHA256, sum(data))
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("upload of %s: status %d", sum(data), resp.StatusCode)
	}
}

// resourceChange is a valid create of a resource of org with files.
func resourceChange(org, id, vis, title string, files ...protocol.FileRef) protocol.Change {
	return protocol.Change{Entity: "resource", ID: id, Org: org, Op: protocol.OpCreate, Fields: map[string]json.RawMessage{
		"visibility": rawJSON(vis), "created_at": rawJSON("2026-01-01T00:00:00Z"), "kind": rawJSON("guide"),
		"title": rawJSON(title), "body": rawJSON("How to run a school dialogue on " + title), "language": rawJSON("sw"),
		"countries": rawJSON([]string{"MW", "KE"}), "themes": rawJSON([]string{"education"}),
		"link": rawJSON("https://example.org/guide"), "files": rawJSON(files),
	}}
}

// Record ids of [newFilesEnv].
const (
	sharedGuide  = "0190bbbb-0000-7000-8000-000000000001"
	privateGuide = "0190bbbb-0000-7000-8000-000000000002"
	sharedVisit  = "0190bbbb-0000-7000-8000-000000000003"
)

// filesEnv is a hub whose organization A shares a guide with a PDF and a
// photo, keeps a guide with two PDFs of its own private, and shares an
// activity with the shared PDF and a PDF not yet sent. Users: coord,
// admin-a, admin-b.
type filesEnv struct {
	*hubEnv
	guide, snap, secret, hidden, unsent []byte
	tokenA                              string
}

func newFilesEnv(t testing.TB) *filesEnv {
	t.Helper()
	e := &filesEnv{hubEnv: newHubEnv(t, false), guide: pdf(300_000, 1), snap: photo(t), secret: pdf(5_000, 2), hidden: pdf(4_000, 4),
		unsent: pdf(2_000, 3)}
	if err := dashboard.AddUser(context.Background(), e.db, "admin-b", password, dashboard.RoleOrgAdmin, e.orgB); err != nil {
		t.Fatal(err)
	}
	var pushA func(...protocol.Change) protocol.SyncResponse
	pushA, e.tokenA = e.enrolled(t, e.orgA, "device-a")
	visit := activity(e.orgA, sharedVisit, "network", "Shared visit", "Visit with files", time.Now().Format("2006-01-02"))
	visit.Fields["files"] = rawJSON([]protocol.FileRef{ref("visit report.pdf", "application/pdf", e.guide), ref("notes.pdf", "application/pdf", e.unsent)})
	pushA(
		resourceChange(e.orgA, sharedGuide, "network", "Shared guide",
			ref("guide.pdf", "application/pdf", e.guide), ref("تقرير الزيارة.jpg", "image/jpeg", e.snap)),
		resourceChange(e.orgA, privateGuide, "org", "Private guide", ref("secret-plan.pdf", "application/pdf", e.secret),
			ref("budget.pdf", "application/pdf", e.hidden)),
		visit)
	for _, data := range [][]byte{e.guide, e.snap, e.secret, e.hidden} {
		e.upload(t, e.tokenA, data)
	}
	return e
}

// download fetches path and returns the status, headers and body.
func download(t testing.TB, c *http.Client, u string, hdr map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp.StatusCode, resp.Header, buf.Bytes()
}

// fileLinks returns the download links of a page, by the file name they
// show.
func fileLinks(page string) map[string]string {
	out := map[string]string{}
	re := regexp.MustCompile(`<a href="([^"]*/file/[^"]*)" download><bdi>([^<]*)</bdi></a>`)
	for _, m := range re.FindAllStringSubmatch(page, -1) {
		out[m[2]] = strings.ReplaceAll(m[1], "&amp;", "&")
	}
	return out
}

// TestResourcesPageListsFilesAndTheLinksDownloadThem: a shared resource
// with a PDF and a photo is listed, to a coordinator and to an orgadmin,
// with each file's name, size in the page's language, type and a link;
// each link downloads the exact bytes as an attachment named as the
// record names the file, with the type the hub found, its length and
// nosniff; a range of it comes back as asked.
func TestResourcesPageListsFilesAndTheLinksDownloadThem(t *testing.T) {
	t.Parallel()
	e := newFilesEnv(t)
	for _, user := range []string{"coord", "admin-b"} {
		t.Run(user, func(t *testing.T) {
			c := e.signIn(t, user)
			status, b, _ := get(t, c, e.srv.URL+"/dashboard/resources/?lang=en")
			page := string(b)
			if status != http.StatusOK {
				t.Fatalf("resources page: status %d", status)
			}
			for _, want := range []string{"Shared guide", "Org A Malawi", "Guide", "Swahili", "Malawi, Kenya", "Education",
				"guide.pdf", "293 KB", "PDF", "تقرير الزيارة.jpg", "Image", sizeEN(len(e.snap)),
				`aria-current="page"`, `href="/dashboard/?lang=en"`} {
				if !strings.Contains(page, want) {
					t.Errorf("resources page lacks %q", want)
				}
			}
			for _, never := range []string{"Private guide", "secret-plan.pdf", sum(e.secret)} {
				if strings.Contains(page, never) {
					t.Errorf("%s's resources page shows %q", user, never)
				}
			}
			links := fileLinks(page)
			if len(links) != 2 {
				t.Fatalf("page links %d files, want 2: %v", len(links), links)
			}
			for _, f := range []struct {
				name, kind, disposition string
				data                    []byte
			}{
				{"guide.pdf", "application/pdf", `attachment; filename="guide.pdf"`, e.guide},
				{"تقرير الزيارة.jpg", "image/jpeg", `attachment; filename="_____ _______.jpg"; filename*=UTF-8''%D8%AA%D9%82%D8%B1%D9%8A%D8%B1%20%D8%A7%D9%84%D8%B2%D9%8A%D8%A7%D8%B1%D8%A9.jpg`, e.snap},
			} {
				href := links[f.name]
				if !strings.Contains(href, "/dashboard/file/"+sum(f.data)+"?") || !strings.Contains(href, "record="+sharedGuide) {
					t.Fatalf("%s links %q", f.name, href)
				}
				status, h, body := download(t, c, e.srv.URL+href, nil)
				if status != http.StatusOK || !bytes.Equal(body, f.data) {
					t.Fatalf("%s: status %d, %d bytes, same bytes %v", f.name, status, len(body), bytes.Equal(body, f.data))
				}
				for k, want := range map[string]string{"Content-Type": f.kind, "Content-Disposition": f.disposition,
					"X-Content-Type-Options": "nosniff", "Content-Length": strconv.Itoa(len(f.data)), "Accept-Ranges": "bytes",
					"Cache-Control": "no-store", "Content-Encoding": ""} {
					if got := h.Get(k); got != want {
						t.Errorf("%s: %s %q, want %q", f.name, k, got, want)
					}
				}
				if _, params, err := mime.ParseMediaType(h.Get("Content-Disposition")); err != nil || params["filename"] != f.name {
					t.Errorf("%s: Content-Disposition reads back as %q, %v", f.name, params["filename"], err)
				}
			}
			href := e.srv.URL + links["guide.pdf"]
			status, h, body := download(t, c, href, map[string]string{"Range": "bytes=100000-100999"})
			if status != http.StatusPartialContent || !bytes.Equal(body, e.guide[100000:101000]) ||
				h.Get("Content-Range") != "bytes 100000-100999/300000" || h.Get("Content-Length") != "1000" {
				t.Errorf("range: status %d, Content-Range %q, Content-Length %q, same bytes %v", status, h.Get("Content-Range"),
					h.Get("Content-Length"), bytes.Equal(body, e.guide[100000:101000]))
			}
			// Resuming: the rest of the file while it is still the same one.
			status, _, body = download(t, c, href, map[string]string{"Range": "bytes=299990-", "If-Range": h.Get("ETag")})
			if status != http.StatusPartialContent || !bytes.Equal(body, e.guide[299990:]) {
				t.Errorf("resume with If-Range: status %d, %d bytes", status, len(body))
			}
			status, _, body = download(t, c, href, map[string]string{"Range": "bytes=299990-", "If-Range": `"another-file"`})
			if status != http.StatusOK || !bytes.Equal(body, e.guide) {
				t.Errorf("If-Range of another file: status %d, %d bytes; want the whole file", status, len(body))
			}
			if status, _, _ := download(t, c, href, map[string]string{"Range": "bytes=300000-"}); status != http.StatusRequestedRangeNotSatisfiable {
				t.Errorf("range past the end: status %d, want 416", status)
			}
		})
	}
}

// TestResourcesPageInTheLanguage: sizes and the page's words follow the
// language; Arabic pages are right to left, with Arabic digits.
func TestResourcesPageInTheLanguage(t *testing.T) {
	t.Parallel()
	e := newFilesEnv(t)
	c := e.signIn(t, "coord")
	for lang, want := range map[string][]string{
		"fr": {`lang="fr"`, "293 Ko", "Ressources et expériences", "Fichier", "Taille", "swahili", "Vue d’ensemble"},
		"ar": {`dir="rtl"`, "٢٩٣ ك.ب", "الموارد والتجارب", "الحجم"},
	} {
		_, b, _ := get(t, c, e.srv.URL+"/dashboard/resources/?lang="+lang)
		for _, w := range want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s page lacks %q", lang, w)
			}
		}
	}
}

// TestOwnPrivateResourcesForTheirOrganizationOnly: an orgadmin sees its
// own organization's private resources, marked so, with their files; no
// one else sees them, in the list or on their page.
func TestOwnPrivateResourcesForTheirOrganizationOnly(t *testing.T) {
	t.Parallel()
	e := newFilesEnv(t)
	a := e.signIn(t, "admin-a")
	_, b, _ := get(t, a, e.srv.URL+"/dashboard/resources/")
	page := string(b)
	if !strings.Contains(page, "Private guide") || !strings.Contains(page, "My organization only") || fileLinks(page)["secret-plan.pdf"] == "" {
		t.Fatalf("admin-a does not see its private guide with its file")
	}
	status, body, _ := get(t, a, e.srv.URL+fileLinks(page)["secret-plan.pdf"])
	if status != http.StatusOK || !bytes.Equal(body, e.secret) {
		t.Errorf("admin-a downloads its own private file: status %d", status)
	}
	for _, c := range []struct {
		user, path string
		status     int
	}{
		{"admin-a", "/dashboard/resource/" + privateGuide, http.StatusOK},
		{"admin-b", "/dashboard/resource/" + privateGuide, http.StatusNotFound},
		{"coord", "/dashboard/resource/" + privateGuide, http.StatusNotFound},
		{"coord", "/dashboard/resource/" + sharedGuide, http.StatusOK},
		{"coord", "/dashboard/resource/no-such-id", http.StatusNotFound},
		{"coord", "/dashboard/resource/" + sharedVisit, http.StatusNotFound},
	} {
		status, b, _ := get(t, e.signIn(t, c.user), e.srv.URL+c.path)
		if status != c.status {
			t.Errorf("%s %s: status %d, want %d", c.user, c.path, status, c.status)
		}
		if status != http.StatusOK && strings.Contains(string(b), "secret-plan") {
			t.Errorf("%s %s shows the private file's name", c.user, c.path)
		}
	}
	_, b, _ = get(t, e.signIn(t, "coord"), e.srv.URL+"/dashboard/resource/"+sharedGuide)
	if !strings.Contains(string(b), `<a href="https://example.org/guide" rel="noopener noreferrer">`) ||
		!strings.Contains(string(b), "How to run a school dialogue on Shared guide") || len(fileLinks(string(b))) != 2 {
		t.Errorf("the resource's page lacks its link, text or files")
	}
}

// TestActivityPageListsItsFiles: an activity's page lists its files the
// same way; one the device has not sent yet is named without a link; the
// shared activities CSV names them in its files column.
func TestActivityPageListsItsFiles(t *testing.T) {
	t.Parallel()
	e := newFilesEnv(t)
	c := e.signIn(t, "coord")
	_, b, _ := get(t, c, e.srv.URL+"/dashboard/activity/"+sharedVisit)
	page := string(b)
	links := fileLinks(page)
	if len(links) != 1 || !strings.Contains(links["visit report.pdf"], "record="+sharedVisit) {
		t.Fatalf("activity page links %v", links)
	}
	if !strings.Contains(page, "<bdi>notes.pdf</bdi> <small>(not on the hub yet)</small>") || !strings.Contains(page, "293 KB") {
		t.Errorf("activity page does not list the unsent file as such")
	}
	if status, h, body := download(t, c, e.srv.URL+links["visit report.pdf"], nil); status != http.StatusOK ||
		!bytes.Equal(body, e.guide) || h.Get("Content-Disposition") != `attachment; filename="visit report.pdf"` {
		t.Errorf("download from the activity: status %d, %q", status, h.Get("Content-Disposition"))
	}
	// The same bytes from the resource's link are named as the resource
	// names them.
	if _, h, _ := download(t, c, e.srv.URL+"/dashboard/file/"+sum(e.guide)+"?record="+sharedGuide, nil); h.Get("Content-Disposition") != `attachment; filename="guide.pdf"` {
		t.Errorf("download from the resource: %q", h.Get("Content-Disposition"))
	}
	status, body, _ := get(t, c, e.srv.URL+"/dashboard/file/"+sum(e.unsent))
	if status != http.StatusNotFound || !strings.Contains(string(body), "not on the hub yet") {
		t.Errorf("unsent file: status %d %q, want 404 saying so", status, body)
	}
	_, csv, _ := get(t, c, e.srv.URL+"/dashboard/shared.csv?period=year")
	if !strings.Contains(string(csv), ",Files\r\n") && !strings.Contains(string(csv), ",Files\n") || !strings.Contains(string(csv), "visit report.pdf; notes.pdf") {
		t.Errorf("shared CSV does not name the files:\n%s", csv)
	}
}

// TestResourcesPagesUnder200KB: 60 shared resources at every limit of the
// record model (the longest title and text, every country and theme,
// twenty files with the longest names), all in characters HTML must
// escape, from an organization with a long name: every resources page and
// a resource's own page stay under 200 KB of HTML.
func TestResourcesPagesUnder200KB(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, false)
	ctx := context.Background()
	org, err := e.hub.AddOrg(ctx, strings.Repeat(`"&<>`, 50), "KE")
	if err != nil {
		t.Fatal(err)
	}
	push, token := e.enrolled(t, org, "device-long")
	blobs := make([][]byte, model.MaxFiles)
	refs := make([]protocol.FileRef, model.MaxFiles)
	for i := range blobs {
		blobs[i] = pdf(100+i, uint64(100+i))
		refs[i] = ref(fmt.Sprintf("%02d", i)+strings.Repeat(`"&<>'`, 49)+".pdf", "application/pdf", blobs[i])
	}
	for batch := range 6 {
		var cs []protocol.Change
		for j := range 10 {
			c := resourceChange(org, fmt.Sprintf("0190cccc-0000-7000-8000-%012d", batch*10+j), "network",
				strings.Repeat(`"<`, model.MaxTitle/2), refs...)
			c.Fields["body"] = rawJSON(strings.Repeat(`"<'&👧`, model.MaxBody/5))
			c.Fields["countries"] = rawJSON(codes.Countries.Codes)
			c.Fields["themes"] = rawJSON(codes.Themes.Codes)
			cs = append(cs, c)
		}
		push(cs...)
	}
	for _, b := range blobs {
		e.upload(t, token, b)
	}
	c := e.signIn(t, "coord")
	var listed []string
	idRE := regexp.MustCompile(`<h3><a href="/dashboard/resource/([^?"]+)`)
	for _, path := range []string{"/dashboard/resources/", "/dashboard/resources/?page=2", "/dashboard/resources/?page=3&lang=ar",
		"/dashboard/resource/0190cccc-0000-7000-8000-000000000007"} {
		status, b, _ := get(t, c, e.srv.URL+path)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d", path, status)
		}
		for _, m := range idRE.FindAllStringSubmatch(string(b), -1) {
			listed = append(listed, m[1])
		}
		t.Logf("%s: %d bytes", path, len(b))
		if len(b) >= 200<<10 {
			t.Errorf("%s: %d bytes, want < 200 KB", path, len(b))
		}
		if n := len(fileLinks(string(b))); n == 0 {
			t.Errorf("%s links no file", path)
		}
	}
	// The three pages list each resource once, the last changed first.
	seen := map[string]bool{}
	for _, id := range listed {
		seen[id] = true
	}
	if len(listed) != 60 || len(seen) != 60 || listed[0] != "0190cccc-0000-7000-8000-000000000059" || listed[59] != "0190cccc-0000-7000-8000-000000000000" {
		t.Errorf("pages list %d resources (%d distinct), from %s to %s", len(listed), len(seen), listed[0], listed[len(listed)-1])
	}
}

// TestStolenHashIsNotLinked: organization B names A's private file in a
// resource B shares with the network. The page shows it as a file not on
// the hub yet, as for a hash nobody sent, with no link: the dashboard
// tells no more than a device learns.
func TestStolenHashIsNotLinked(t *testing.T) {
	t.Parallel()
	e := newFilesEnv(t)
	pushB, _ := e.enrolled(t, e.orgB, "device-b")
	const stolen = "0190dddd-0000-7000-8000-000000000001"
	pushB(resourceChange(e.orgB, stolen, "network", "Named, not held",
		ref("secret-plan.pdf", "application/pdf", e.secret), ref("nobody.pdf", "application/pdf", pdf(3_000, 9))))
	c := e.signIn(t, "coord")
	_, b, _ := get(t, c, e.srv.URL+"/dashboard/resource/"+stolen)
	page := string(b)
	if links := fileLinks(page); len(links) != 0 {
		t.Fatalf("B's resource links %v", links)
	}
	for _, name := range []string{"secret-plan.pdf", "nobody.pdf"} {
		if !strings.Contains(page, "<bdi>"+name+"</bdi> <small>(not on the hub yet)</small>") {
			t.Errorf("%s is not shown as a file not on the hub yet", name)
		}
	}
}
