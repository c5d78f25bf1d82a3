#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Fieldbook needs, only those missing.
# Usage: scripts/system-deps.sh PURPOSE PACKAGE...
# Idempotent: when everything is present it prints one line and exits.
set -euo pipefail

purpose=$1
shift
missing=()
for pkg in "$@"; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$pkg")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "system packages for $purpose: all present"
	exit 0
fi

echo "system packages for $purpose: installing ${missing[*]}"
echo "  (libgl1-mesa-dev, xorg-dev: OpenGL/X11 headers Fyne compiles against;"
echo "   fonts-noto-*: fonts for every script the app ships and for emoji; xvfb: windows in tests;"
echo "   chromium: the dashboard browser test; postgresql: the hub's tests on PostgreSQL, which start"
echo "   their own server in a temporary folder; gcc-mingw-w64-x86-64: the Windows build)"
if ! command -v apt-get >/dev/null 2>&1; then
	echo "error: apt-get not found. This set-up script supports Debian and Ubuntu only." >&2
	echo "       Install the equivalents of: ${missing[*]} with your package manager, then re-run." >&2
	exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		SUDO="sudo"
	else
		echo "error: installing packages needs root. Run as root, or: sudo apt-get install ${missing[*]}" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
stamp=/var/lib/apt/periodic/fieldbook-update-stamp
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
	$SUDO apt-get update -qq
	$SUDO mkdir -p "$(dirname "$stamp")" && $SUDO touch "$stamp"
fi
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/fieldbook-apt.log 2>&1; then
	# A stale package index is the usual cause; refresh once and retry.
	$SUDO apt-get update -qq
	if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/fieldbook-apt.log 2>&1; then
		echo "error: apt-get install ${missing[*]} failed; see /tmp/fieldbook-apt.log" >&2
		tail -20 /tmp/fieldbook-apt.log >&2
		exit 1
	fi
fi
echo "system packages for $purpose: installed ${missing[*]}"
