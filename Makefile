# Fieldbook — the two commands a newcomer needs are `make run` and `make test`.
# Both install any missing system packages first (Debian/Ubuntu, needs root).

SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin
# migrated_fynedo: Fyne's thread-checked widget updates. no_emoji: leave out
# Fyne's bundled emoji font (parsed once per text style, ~19 MB of the
# window's memory); emoji are drawn from the computer's own emoji font.
TAGS := migrated_fynedo,no_emoji
export TAGS
GO ?= go
DATA ?=
RUN_PKGS := libgl1-mesa-dev xorg-dev fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
TEST_PKGS := $(RUN_PKGS) xvfb xauth chromium postgresql
WIN_PKGS := gcc-mingw-w64-x86-64
# The packages whose tests open a hub: run on SQLite, then on PostgreSQL.
HUB_TEST_PKGS := ./sync/hub ./sync/client ./dashboard ./cmd/fieldbook-hub
FUZZTIME ?= 30s

.PHONY: run test deps-run deps-test build hub windows dist screenshots fuzz bench clean

## run: install what is missing, build, and open the app
run: deps-run
	$(GO) run -tags $(TAGS) . $(if $(DATA),--data $(DATA))

## test: install what is missing, then vet and run every test with the race detector
test: deps-test
	$(GO) vet -tags $(TAGS) ./...
	# the measuring and screenshot tools (gui --screenshot, --measure-startup)
	$(GO) vet -tags $(TAGS),fieldbook_tools ./...
	$(GO) test -race -tags $(TAGS) -timeout 40m ./...
	# the hub's whole test suite again, its hubs kept on PostgreSQL (a
	# throwaway server the tests start) and served by two hub processes in
	# the sync property test
	FIELDBOOK_TEST_HUB_DB=postgres $(GO) test -race -tags $(TAGS) -timeout 40m $(HUB_TEST_PKGS)
	$(GO) run -tags $(TAGS) . locales check

deps-run:
	@scripts/system-deps.sh "make run" $(RUN_PKGS)

deps-test:
	@scripts/system-deps.sh "make test" $(TEST_PKGS)

## build: the desktop binary and the hub
build: deps-run
	$(GO) build -tags $(TAGS) -o bin/fieldbook .
	CGO_ENABLED=0 $(GO) build -o bin/fieldbook-hub ./cmd/fieldbook-hub

hub:
	CGO_ENABLED=0 $(GO) build -o bin/fieldbook-hub ./cmd/fieldbook-hub

## windows: cross-build fieldbook.exe with mingw-w64
windows:
	@scripts/system-deps.sh "make windows" $(WIN_PKGS)
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
		$(GO) build -tags $(TAGS) -ldflags "-H=windowsgui" -o bin/fieldbook.exe .

## dist: the Linux package (dist/Fieldbook.tar.xz, via fyne package) and the Windows .exe
FYNE_TOOL := fyne.io/tools/cmd/fyne@v1.7.4
dist: deps-run windows
	mkdir -p dist
	cp FyneApp.toml dist/FyneApp.toml.orig
	$(GO) run $(FYNE_TOOL) package -os linux --tags $(TAGS) --release; \
		status=$$?; mv dist/FyneApp.toml.orig FyneApp.toml; exit $$status
	mv Fieldbook.tar.xz dist/
	cp bin/fieldbook.exe dist/
	@ls -l dist

## screenshots: pictures of the main screens and a resource's files in en, fr, ar, th, km, ko, hi and mn, and a 1024×600 netbook run (first start, activities with a record open, reports, a resource's files in en, ar, th, mn, bn, ko), from the real app under Xvfb (screenshots/)
screenshots: deps-test
	@scripts/system-deps.sh "make screenshots" imagemagick
	scripts/screenshots.sh screenshots

## fuzz: run every fuzz target for FUZZTIME each
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list 'Fuzz.*' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; $(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

## bench: every benchmark, five runs each
bench: deps-test
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -count 5 ./...

clean:
	rm -rf bin dist screenshots
