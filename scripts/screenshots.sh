#!/usr/bin/env bash
# Pictures of Fieldbook's screens, taken from the real binary in a virtual X
# display, over a data folder of sample records:
#
# - every tab at 1280×800 in English, French, Arabic (right to left), Thai,
#   Khmer, Korean, Hindi and Mongolian: OUT_DIR/<lang>-<tab>.png, and the
#   first resource scrolled to its files (a PDF guide and two photos):
#   OUT_DIR/<lang>-files.png;
# - on a 1024×600 netbook screen, the first start, the activities with a
#   record open, the reports and the resource's files, in English, Arabic,
#   Thai, Mongolian, Bengali and Korean: OUT_DIR/1024x600/<lang>-<step>.png.
#
#   scripts/screenshots.sh [OUT_DIR] [ACTIVITIES]
#
# LANGS and SMALL_LANGS (comma-separated tags) pick other languages for the
# two runs; an empty one skips its run. The app shows each step in turn and
# prints "shot PATH"; this script grabs the display into PATH, and the app
# moves on once the file exists.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-screenshots}"
activities="${2:-2500}"
langs="${LANGS-en,fr,ar,th,km,ko,hi,mn}"
small_langs="${SMALL_LANGS-en,ar,th,mn,bn,ko}"
export PATH="$PATH:/usr/local/go/bin"

mkdir -p bin "$out"
# fieldbook_tools adds the gui command's screenshot flags.
go build -tags "${TAGS:-migrated_fynedo,no_emoji},fieldbook_tools" -o bin/fieldbook-tools .
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
bin/fieldbook-tools --data "$data" sample --activities "$activities"
bin/fieldbook-tools --data "$data" version

# shoot SIZE DIR LANGS [STEPS]: runs the app on a screen of SIZE (WxH); the
# window opens at its top left, as large as the screen allows (1280×800 at
# the most).
shoot() {
	local size="$1" dir="$2" langs="$3" steps="${4:-}"
	[ -n "$langs" ] || return 0
	mkdir -p "$dir"
	xvfb-run -a -s "-screen 0 ${size}x24" bash -c '
		bin/fieldbook-tools --data "$0" gui --screenshot "$1" --screenshot-langs "$2" --screenshot-steps "$3" | while read -r kind path; do
			if [ "$kind" = shot ]; then
				import -window root -crop "$4+0+0" +repage "$path.part.png" && mv "$path.part.png" "$path" && echo "$path"
			fi
		done
	' "$data" "$dir" "$langs" "$steps" "$size"
}

shoot 1280x800 "$out" "$langs"
shoot 1024x600 "$out/1024x600" "$small_langs" firstrun,activities,reports,files
