#!/usr/bin/env bash
# Pictures of Fieldbook's main screens in English, French, Arabic (right to
# left), Thai, Khmer, Korean, Hindi and Mongolian, taken from the real binary
# in a virtual X display, over a data folder of sample records.
#
#   scripts/screenshots.sh [OUT_DIR] [ACTIVITIES]
#
# LANGS (comma-separated tags) picks other languages.
# Writes OUT_DIR/<lang>-<tab>.png (default: screenshots/). The app selects
# each tab in turn and prints "shot PATH"; this script grabs the display into
# PATH, and the app moves on once the file exists.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-screenshots}"
activities="${2:-2500}"
langs="${LANGS:-en,fr,ar,th,km,ko,hi,mn}"
export PATH="$PATH:/usr/local/go/bin"

mkdir -p bin "$out"
go build -tags "${TAGS:-migrated_fynedo,no_emoji}" -o bin/fieldbook .
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
bin/fieldbook --data "$data" sample --activities "$activities"
bin/fieldbook --data "$data" version

# The window opens at the top left of the display, 1280×800.
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
	bin/fieldbook --data "$0" gui --screenshot "$1" --screenshot-langs "$2" | while read -r kind path; do
		if [ "$kind" = shot ]; then
			import -window root -crop 1280x800+0+0 +repage "$path.part.png" && mv "$path.part.png" "$path" && echo "$path"
		fi
	done
' "$data" "$out" "$langs"
