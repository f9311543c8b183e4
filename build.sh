#!/usr/bin/env bash
# Dust Browser's one entry point for people and CI.
#   ./build.sh run [ARGS...]   install what is missing, build, start Dust Browser
#   ./build.sh test            install what is missing, build, run every test (CTest)
#   ./build.sh build           install what is missing and build
#   ./build.sh bench           build and run the benchmarks (see bench/README.md)
#   ./build.sh package         build the programs and make the .deb and .tar.gz (in BUILD_DIR;
#                              see installer/README.md)
# Environment: BUILD_DIR (default: build), BUILD_TYPE (default: RelWithDebInfo),
#              DUST_SKIP_INSTALL=1 to skip the package check.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
build_dir=${BUILD_DIR:-build}
build_type=${BUILD_TYPE:-RelWithDebInfo}
cmd=${1:-run}
[ $# -gt 0 ] && shift

# Debian 12 packages the build, the tests and the app need.
packages=(
    g++ cmake ninja-build ccache pkg-config git ca-certificates
    qt6-base-dev qt6-websockets-dev qt6-httpserver-dev libqt6sql6-sqlite qt6-svg-dev
    libqt6svg6 qt6-qpa-plugins libgl-dev libsimdjson-dev
    qtkeychain-qt6-dev libqscintilla2-qt6-dev gnome-keyring dbus
    nodejs npm curl xvfb xauth fonts-dejavu-core
    # Packaging and its test: man pages from --help, dpkg-shlibdeps for the .deb's Depends,
    # the desktop entry's and the AppStream metainfo's validators.
    help2man dpkg-dev file desktop-file-utils appstream
)

install_missing() {
    [ "${DUST_SKIP_INSTALL:-0}" = 1 ] && return 0
    local missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    # npm may also come from outside Debian; a working one is enough.
    if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
        local kept=()
        for p in "${missing[@]}"; do [ "$p" = npm ] || [ "$p" = nodejs ] || kept+=("$p"); done
        missing=("${kept[@]+"${kept[@]}"}")
    fi
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "Installing: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
        echo "Dust Browser needs these Debian packages. Install them, then run this again:"
        echo "  sudo apt-get install ${missing[*]}"
        exit 1
    fi
}

node_modules() {
    # The official Phoenix JavaScript client, used to check dustlite's framing.
    local dir=tests/server/phoenix-js
    [ -f "$dir/package.json" ] || return 0
    [ -d "$dir/node_modules/phoenix" ] && [ -d "$dir/node_modules/ws" ] && return 0
    # Without them only that one test is skipped (it says so), so a registry that cannot
    # be reached does not stop the build or the other tests.
    if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error); then
        echo "warning: npm ci failed in $dir; tst_phoenix_js will be skipped" >&2
    fi
}

configure_and_build() {
    if [ ! -f "$build_dir/build.ninja" ]; then
        cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" "$@"
    fi
    cmake --build "$build_dir"
}

case "$cmd" in
    run)
        install_missing
        configure_and_build
        exec "$build_dir/app/dust-browser" "$@"
        ;;
    test)
        install_missing
        node_modules
        configure_and_build -DDUST_WERROR=ON
        export QT_QPA_PLATFORM=offscreen
        ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" "$@"
        ;;
    build)
        install_missing
        configure_and_build "$@"
        ;;
    bench)
        install_missing
        # Figures from an unoptimised build mean nothing: an existing build directory
        # configured without optimisation is switched to the default build type first.
        configured=$(grep -m1 '^CMAKE_BUILD_TYPE:' "$build_dir/CMakeCache.txt" 2>/dev/null |
            cut -d= -f2 || true)
        if [ -f "$build_dir/build.ninja" ]; then
            case "$configured" in
                Release | RelWithDebInfo | MinSizeRel) ;;
                *) cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" ;;
            esac
        fi
        configure_and_build
        exec bench/run.sh "$build_dir" "$@"
        ;;
    package)
        install_missing
        if [ ! -f "$build_dir/build.ninja" ]; then
            cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" "$@"
        fi
        # Only what the packages hold: the programs, their man pages and completions.
        cmake --build "$build_dir" --target dust-browser dustlite dust_desktop_files
        (cd "$build_dir" && cpack)
        ls -1 "$build_dir"/dust-browser_*.deb "$build_dir"/dust-browser-*.tar.gz
        ;;
    *)
        echo "usage: $0 run|test|build|bench|package [ARGS...]" >&2
        exit 2
        ;;
esac
