#!/usr/bin/env bash
# Writes a gzipped man page for a program from its own --help and --version (help2man), so
# the page says what the program does: installer/CMakeLists.txt runs this at build time.
#   make-man.sh OUTPUT.1.gz EXECUTABLE PAGE-NAME "WHAT IT IS" INCLUDE.h2m DATE [SUBCOMMAND]
# PAGE-NAME is the page's title (dust-browser, dust-browser-export); with a SUBCOMMAND the
# page documents `EXECUTABLE SUBCOMMAND --help`. DATE (YYYY-MM-DD, the release's) is the
# page's date, so the same release gives the same page.
set -euo pipefail
output=$1
exe=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
page=$3
what=$4
include=$5
date=$6
sub=${7:-}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# help2man names the page after the command it runs, and the --help texts print their
# command as it was called: a link or a wrapper named PAGE-NAME on the PATH gives both.
if [ -n "$sub" ]; then
    printf '#!/bin/bash\nexec -a "%s" "%s" %s "$@"\n' "$(basename "$exe")" "$exe" "$sub" \
        >"$work/$page"
    chmod +x "$work/$page"
else
    ln -s "$exe" "$work/$page"
fi
version=$("$exe" --version | sed -n 's/^.* \([0-9][0-9.]*[^ ]*\)$/\1/p' | head -n1)
[ -n "$version" ] || { echo "make-man.sh: no version in \`$exe --version\`" >&2; exit 1; }
SOURCE_DATE_EPOCH=$(date -u -d "$date" +%s) PATH="$work:$PATH" QT_QPA_PLATFORM=offscreen LC_ALL=C.UTF-8 \
    help2man --no-info --section=1 --name="$what" --version-string="$version" \
    --include="$include" --output="$work/page.1" "$page"
# -n: no time stamp in the gzip header, so the same page gives the same bytes.
gzip -9n -c "$work/page.1" >"$output.tmp"
mv "$output.tmp" "$output"
