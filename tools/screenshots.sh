#!/usr/bin/env bash
# Takes the README's screenshots under Xvfb, driving Dust Browser with xdotool as a person
# would (needs xvfb, xdotool, imagemagick, and `npm ci` in tests/server/phoenix-js):
#   docs/window-light.png       the demo store, light colours, a file's page, the change log
#   docs/window-dark.png        a store of a million paths, dark colours
#   docs/change-log-burst.png   the change log while another client writes 2,000 changes/s
# Usage: [SHOTS="light burst dark"] tools/screenshots.sh [BUILD_DIR]   (default build)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
token=dust_tok_screenshots

# A dustlite of its own for each store; prints its port.
start_dustlite() { # SEED NAME
    local log=$work/$2.log
    "$build/server/dustlite" --port 0 --data "$work/$2" --seed "$1" --token $token >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 1200); do
        if grep -q 'listening on' "$log"; then
            sed -n 's/.*listening on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$log" | head -1
            return
        fi
        sleep 0.5
    done
    echo "dustlite did not start: $(cat "$log")" >&2; exit 1
}

# shoot THEME PORT OUT BURST SETTLE PATH...: opens the store, waits SETTLE seconds (until it
# is live), goes to each PATH, writes BURST changes from another client, shoots.
shoot() {
    local theme=$1 port=$2 out=$3 burst=$4 settle=$5; shift 5
    local home=$work/home-$theme-$(basename "$out" .png)
    mkdir -p "$home/config/Dust Browser"
    printf '[window]\ntheme=%s\n' "$theme" >"$home/config/Dust Browser/Dust Browser.conf"
    XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data XDG_CACHE_HOME=$home/cache \
    DUST_TOKEN=$token SETTLE=$settle xvfb-run -a -s "-screen 0 1200x760x24" bash -c '
        "$0" --url "http://127.0.0.1:$1" --store local/demo 2>/dev/null &
        app=$!
        w=""
        for _ in $(seq 1 100); do w=$(xdotool search --name "Dust Browser" 2>/dev/null | head -1) && [ -n "$w" ] && break; sleep 0.2; done
        sleep 3
        out="${@: -1}"
        for p in "${@:4:$(($# - 4))}"; do
            xdotool windowfocus --sync "$w"; xdotool key ctrl+l; sleep 1.5
            xdotool key ctrl+a; xdotool type --delay 15 "$p"; xdotool key Return; sleep 0.5; xdotool key Return; sleep 1.5
        done
        if [ "$3" != 0 ]; then
            node "$2/tools/burst.mjs" "ws://127.0.0.1:$1/ws/sync" dust_tok_screenshots local/demo "$3" 2000 >/dev/null &
            burst=$!
            sleep 4
        fi
        import -window root "$out.png"
        [ -n "${burst:-}" ] && kill "$burst" 2>/dev/null
        kill $app' "$build/app/dust-browser" "$port" "$root" "$burst" "$@" "${out%.png}"
    echo "wrote $out"
}

shots=${SHOTS:-light burst dark} # which to take
if [[ " $shots " == *" light "* || " $shots " == *" burst "* ]]; then
    demo=$(start_dustlite demo demo)
    [[ " $shots " == *" light "* ]] &&
        shoot light "$demo" "$root/docs/window-light.png" 60 3 "users/alice/email" "files/image~1logo"
    [[ " $shots " == *" burst "* ]] &&
        shoot light "$demo" "$root/docs/change-log-burst.png" 12000 3 "sensors"
fi
if [[ " $shots " == *" dark "* ]]; then
    million=$(start_dustlite 1000000 million)
    shoot dark "$million" "$root/docs/window-dark.png" 0 25 "tenants/t000/users/u000042/email"
fi
