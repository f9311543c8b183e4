#!/usr/bin/env bash
# The .deb as a user gets it: built by cpack from this build tree (nothing is rebuilt),
# unpacked into a temporary root, and checked there: its file list, its control data (the
# version is the project's; Depends computed by dpkg-shlibdeps), the desktop entry and the
# AppStream metainfo through their validators, the man pages and completions, the systemd user
# unit's command line, and both programs started from the unpacked tree with only system
# libraries.
#   check_package.sh BUILD_DIR VERSION APP_ID [CPACK]   (CTest: check_package, label package)
# Needs Debian dpkg-dev, desktop-file-utils, appstream (build.sh's package list).
set -euo pipefail

build=$(cd "$1" && pwd)
version=$2
app_id=$3
cpack=${4:-cpack}

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
pass() { echo "ok: $*"; }

for tool in "$cpack" dpkg-deb dpkg-shlibdeps desktop-file-validate appstreamcli readelf ldd; do
    command -v "$tool" >/dev/null || {
        echo "FAIL: $tool is missing (./build.sh installs what packaging needs)" >&2
        exit 1
    }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/dust-package.XXXXXX")
dustlite_pid=
cleanup() {
    if [ -n "$dustlite_pid" ]; then kill "$dustlite_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# --- build the .deb from the built tree, into the temporary directory
if ! "$cpack" --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log" >&2
    echo "FAIL: cpack could not build the .deb" >&2
    exit 1
fi
arch=$(dpkg --print-architecture)
deb=$work/out/dust-browser_${version}_${arch}.deb
if [ ! -f "$deb" ]; then
    ls -l "$work/out" >&2
    echo "FAIL: no $(basename "$deb")" >&2
    exit 1
fi
pass "cpack built $(basename "$deb")"

# --- control data
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = dust-browser ] && pass "Package: dust-browser" ||
    fail "Package is '$(field Package)', not dust-browser"
[ "$(field Version)" = "$version" ] && pass "Version: $version (the project's)" ||
    fail "Version is '$(field Version)', not the project version $version"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture is '$(field Architecture)'"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
depends=$(field Depends)
echo "Depends: $depends"
# The names in Depends, one per line, with what follows each name ("(>= 6.4.0)").
depends_lines=$(sed 's/, /\n/g' <<<"$depends")
depends_on() { # name [any]: Depends holds name as "name (>= version)" (or in any form)
    local entry versioned='^[^ ]+ \(>= [^)]+\)$'
    while IFS= read -r entry; do
        [ "${entry%% *}" = "$1" ] || continue
        [[ $entry =~ $versioned ]] || [ "${2:-}" = any ] || return 1
        return 0
    done <<<"$depends_lines"
    return 1
}
# dpkg-shlibdeps writes each library's package with the lowest version the binaries need,
# "name (>= version)": hand-written names would not carry those.
for package in libqt6core6 libqt6gui6 libqt6widgets6 libqt6network6 libqt6websockets6 \
    libqt6httpserver6 libqt6sql6 libqt6svg6 libqt6keychain1 libqscintilla2-qt6-15 libc6 \
    libstdc++6; do
    depends_on "$package" && pass "Depends names $package, with the version dpkg-shlibdeps found" ||
        fail "Depends does not name $package (>= ...)"
done
simdjson=$(grep -Eo '^libsimdjson[0-9]+' <<<"$depends_lines" || true)
[ -n "$simdjson" ] && depends_on "$simdjson" && pass "Depends names $simdjson" ||
    fail "Depends does not name libsimdjson (>= ...)"
# The plugins Qt loads at run time, which dpkg-shlibdeps cannot see.
for package in qt6-qpa-plugins libqt6sql6-sqlite; do
    depends_on "$package" any && pass "Depends names $package" ||
        fail "Depends does not name $package"
done

# --- the file list: exactly what the package should hold
root=$work/root
dpkg-deb -x "$deb" "$root"
icons=usr/share/icons/hicolor
expected=(
    usr/bin/dust-browser
    usr/bin/dustlite
    "usr/share/applications/$app_id.desktop"
    "$icons/scalable/apps/$app_id.svg"
    "usr/share/metainfo/$app_id.metainfo.xml"
    usr/share/man/man1/dust-browser.1.gz
    usr/share/man/man1/dust-browser-export.1.gz
    usr/share/man/man1/dust-browser-import.1.gz
    usr/share/man/man1/dustlite.1.gz
    usr/share/bash-completion/completions/dust-browser
    usr/share/bash-completion/completions/dustlite
    usr/lib/systemd/user/dustlite.service
)
for size in 16 22 24 32 48 64 128 256; do
    expected+=("$icons/${size}x${size}/apps/$app_id.png")
done
actual=$(cd "$root" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort)
wanted=$(printf '%s\n' "${expected[@]}" | sort)
if [ "$actual" = "$wanted" ]; then
    pass "the package holds exactly the ${#expected[@]} expected files"
else
    fail "the package's files differ from the expected list (< missing, > unexpected):"
    diff <(echo "$wanted") <(echo "$actual") | grep '^[<>]' >&2 || true
fi
for exe in dust-browser dustlite; do
    [ -x "$root/usr/bin/$exe" ] || fail "usr/bin/$exe is not executable"
done
for size in 16 22 24 32 48 64 128 256; do
    png=$root/$icons/${size}x${size}/apps/$app_id.png
    [ -f "$png" ] && [[ $(file -b "$png") == "PNG image data, $size x $size,"* ]] ||
        fail "$icons/${size}x${size}/apps/$app_id.png is not a $size x $size PNG"
done
grep -q '<svg' "$root/$icons/scalable/apps/$app_id.svg" || fail "the scalable icon is not SVG"

# --- desktop entry and AppStream metainfo
desktop=$root/usr/share/applications/$app_id.desktop
if desktop-file-validate "$desktop"; then pass "desktop-file-validate"; else
    fail "desktop-file-validate refuses $app_id.desktop"
fi
grep -qx "Icon=$app_id" "$desktop" || fail "the desktop entry's Icon is not $app_id"
grep -qx "Exec=dust-browser" "$desktop" || fail "the desktop entry does not run dust-browser"
metainfo=$root/usr/share/metainfo/$app_id.metainfo.xml
if appstreamcli validate --no-net "$metainfo"; then pass "appstreamcli validate"; else
    fail "appstreamcli validate refuses the metainfo"
fi
grep -q "<id>$app_id</id>" "$metainfo" || fail "the metainfo's id is not $app_id"
grep -q "<launchable type=\"desktop-id\">$app_id.desktop</launchable>" "$metainfo" ||
    fail "the metainfo does not launch $app_id.desktop"
grep -q "<release version=\"$version\"" "$metainfo" && pass "metainfo release $version" ||
    fail "the metainfo has no release $version"
grep -q '<screenshot type="default">' "$metainfo" || fail "the metainfo has no screenshot"

# --- the programs run from the package's tree, on system libraries only, without a display
for exe in dust-browser dustlite; do
    binary=$root/usr/bin/$exe
    if readelf -d "$binary" | grep -Eq 'RPATH|RUNPATH'; then
        fail "$exe has an RPATH/RUNPATH: $(readelf -d "$binary" | grep -E 'RPATH|RUNPATH')"
    fi
    libraries=$(ldd "$binary")
    if grep -q 'not found' <<<"$libraries"; then
        fail "$exe needs libraries that are not found: $(grep 'not found' <<<"$libraries")"
    fi
    outside=$(grep '=>' <<<"$libraries" | awk '{print $3}' | grep -Ev '^/(usr/)?lib' || true)
    [ -z "$outside" ] && pass "$exe links only system libraries" ||
        fail "$exe links libraries outside the system's: $outside"
done
headless() { env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$@"; }
out=$(headless "$root/usr/bin/dust-browser" --version 2>&1) || fail "dust-browser --version failed"
[ "$out" = "Dust Browser $version" ] && pass "dust-browser --version: $out" ||
    fail "dust-browser --version says '$out', not 'Dust Browser $version'"
out=$(headless "$root/usr/bin/dustlite" --version 2>&1) || fail "dustlite --version failed"
[ "$out" = "dustlite $version" ] && pass "dustlite --version: $out" ||
    fail "dustlite --version says '$out'"
out=$(headless "$root/usr/bin/dust-browser" --help 2>&1) || true
grep -q -- '--store <ORG/NAME>' <<<"$out" && pass "dust-browser --help works without a display" ||
    fail "dust-browser --help does not work without a display: $out"

# --- man pages: help2man's, from the programs' own --help, at this version
for page in dust-browser dust-browser-export dust-browser-import dustlite; do
    text=$(gzip -dc "$root/usr/share/man/man1/$page.1.gz")
    upper=$(tr 'a-z' 'A-Z' <<<"$page")
    th=$(grep -m1 '^\.TH ' <<<"$text" | tr -d '\\"')
    [[ $th == ".TH $upper 1 "*" $version "* ]] && pass "man page $page(1), version $version" ||
        fail "$page.1's title is '$th', not $upper(1) at $version"
done
man_has() { # page text: the page holds the text (as roff: "\\-\\-url" for --url)
    local text
    text=$(gzip -dc "$root/usr/share/man/man1/$1.1.gz")
    grep -q -- "$2" <<<"$text" || fail "$1(1) lacks $2"
}
man_has dust-browser '\\-\\-url'
man_has dust-browser '\\-\\-store'
man_has dust-browser-export '\\-\\-format'
man_has dust-browser-import '\\-\\-mode'
man_has dustlite '\\-\\-data'
man_has dustlite 'systemctl \\-\\-user enable \\-\\-now dustlite'

# --- bash completions, generated from --help
complete_of() { # command words...: what the completion offers for the last word, a,b,c
    local script=$root/usr/share/bash-completion/completions/$1
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
             "$(complete -p "$1" | awk "{print \$3}")"; IFS=,; echo "${COMPREPLY[*]}"' \
        _ "$script" "$@"
}
check_completion() { # expected command words...
    local expected=$1
    shift
    local got
    got=$(complete_of "$@")
    [ "$got" = "$expected" ] && pass "completion of '$*': $got" ||
        fail "completion of '$*' gives '$got', not '$expected'"
}
check_completion "--data" dustlite --da
check_completion "--max-ws-message,--max-ws-outgoing,--max-ws-pending" dustlite --max-ws
check_completion "export" dust-browser exp
check_completion "--read-only" dust-browser --read
check_completion "--format" dust-browser export --form
check_completion "--mode" dust-browser import --mo
check_completion "merge,replace" dust-browser import --mode ""
touch "$work/data.json"
check_completion "$work/data.json" dust-browser import "$work/data.js"
check_completion "$work/root" dustlite --data "$work/ro"

# --- the systemd user unit, and dustlite started with its command line
unit=$root/usr/lib/systemd/user/dustlite.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit" 2>/dev/null || true)
if [ -z "$exec_start" ]; then
    fail "no user unit with an ExecStart at usr/lib/systemd/user/dustlite.service"
else
    grep -qx 'WantedBy=default.target' "$unit" || fail "the unit is not wanted by default.target"
    grep -q -- '--port 7755' <<<"$exec_start" || fail "the unit does not serve a fixed port"
    grep -q -- '--data %h/.local/share/dustlite/stores' <<<"$exec_start" ||
        fail "the unit does not keep its stores in ~/.local/share/dustlite/stores"
    [ "${exec_start%% *}" = dustlite ] || fail "the unit does not start dustlite"
    # The unit's own arguments, with its home in the temporary directory and a free port.
    home=$work/home
    read -r -a arguments <<<"${exec_start#dustlite }"
    for i in "${!arguments[@]}"; do
        arguments[i]=${arguments[i]//%h/$home}
        [ "${arguments[i]}" = 7755 ] && arguments[i]=0
    done
    mkfifo "$work/stdout"
    # exec: the background job is dustlite itself, so the signal below reaches it.
    (exec env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$root/usr/bin/dustlite" \
        "${arguments[@]}" >"$work/stdout" 2>"$work/stderr") &
    dustlite_pid=$!
    exec 3<"$work/stdout"
    port=
    while IFS= read -r -t 30 line <&3; do
        if [[ $line =~ ^dustlite\ listening\ on\ http://127\.0\.0\.1:([0-9]+)$ ]]; then
            port=${BASH_REMATCH[1]}
            break
        fi
    done
    if [ -n "$port" ]; then
        pass "dustlite from the package, with the unit's options, listens on port $port"
        [ "$(readlink "/proc/$dustlite_pid/exe")" = "$root/usr/bin/dustlite" ] ||
            fail "the background job is not dustlite itself"
        exec 4<>"/dev/tcp/127.0.0.1/$port"
        printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&4
        IFS= read -r -t 30 status <&4 || true
        exec 4<&-
        [[ $status == "HTTP/1.1 200"* ]] && pass "it answers /healthz: ${status%$'\r'}" ||
            fail "/healthz answered '$status'"
        token=$home/.local/share/dustlite/stores/dustlite.token
        [ "$(stat -c %a "$token" 2>/dev/null)" = 600 ] && pass "its token file is private" ||
            fail "no token file of mode 600 at $token"
        kill -TERM "$dustlite_pid"
        if wait "$dustlite_pid"; then pass "SIGTERM stops it cleanly"; else
            fail "dustlite exited with $? on SIGTERM"
        fi
        dustlite_pid=
    else
        fail "dustlite started with the unit's options printed no ready line"
        cat "$work/stderr" >&2
    fi
    exec 3<&-
fi

if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "the package is good"
