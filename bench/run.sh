#!/usr/bin/env bash
# Runs every benchmark executable of a build and appends the figures to bench/RESULTS.md.
#   bench/run.sh BUILD_DIR [NAME...]
# NAME limits the run to those benchmarks (bench_catchup, bench_mirror, ...).
# DUST_BENCH_SIZE=N passes N (events / leaves) to every benchmark instead of its default.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build_dir=${1:?usage: bench/run.sh BUILD_DIR [NAME...]}
shift
build_dir=$(cd "$build_dir" && pwd)
results="$here/RESULTS.md"

mapfile -t benches < <(find "$build_dir/bench" -maxdepth 1 -type f -perm -u+x -name 'bench_*' | sort)
if [ ${#benches[@]} -eq 0 ]; then
    echo "no benchmark executables in $build_dir/bench (build with -DDUST_BUILD_BENCH=ON)" >&2
    exit 1
fi
if [ $# -gt 0 ]; then
    wanted=" $* "
    kept=()
    for b in "${benches[@]}"; do
        [[ "$wanted" == *" $(basename "$b") "* ]] && kept+=("$b")
    done
    benches=("${kept[@]+"${kept[@]}"}")
    [ ${#benches[@]} -gt 0 ] || { echo "no benchmark named: $*" >&2; exit 1; }
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
[ -n "$cpu" ] || cpu=$(uname -m)
mem=$(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo 2>/dev/null || echo "?")
os=$( (. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") || uname -s)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "unknown")
dirty=$(git -C "$root" status --porcelain 2>/dev/null | grep -q . && echo " (with uncommitted changes)" || true)
build_type=$(grep -m1 '^CMAKE_BUILD_TYPE:' "$build_dir/CMakeCache.txt" 2>/dev/null | cut -d= -f2 || echo "?")

block=$(mktemp)
log_dir=$(mktemp -d)
trap 'rm -rf "$block" "$log_dir"' EXIT

{
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- machine: $cpu, nproc $(nproc), $mem RAM, $os, kernel $(uname -r)"
    echo "- commit: $commit$dirty; build: $build_type"
    [ -n "${DUST_BENCH_SIZE:-}" ] && echo "- size: $DUST_BENCH_SIZE (DUST_BENCH_SIZE)"
} >"$block"

status=0
for bench in "${benches[@]}"; do
    name=$(basename "$bench")
    log="$log_dir/$name.log"
    echo "== $name" >&2
    start=$(date +%s)
    set +e
    if [ -n "${DUST_BENCH_SIZE:-}" ]; then
        "$bench" "$DUST_BENCH_SIZE" 2>&1 | tee "$log" >&2
    else
        "$bench" 2>&1 | tee "$log" >&2
    fi
    code=${PIPESTATUS[0]}
    set -e
    seconds=$(($(date +%s) - start))
    [ "$code" -eq 0 ] || status=1
    {
        echo
        printf '### %s (exit %s, %s s)\n' "$name" "$code" "$seconds"
        if grep -q '^FIGURE ' "$log"; then
            echo
            echo "| figure | value |"
            echo "|---|---|"
            grep '^FIGURE ' "$log" | while read -r _ key value unit; do
                echo "| $key | $value $unit |"
            done
        fi
        echo
        echo '```'
        grep -v '^FIGURE ' "$log" | sed -e '/^$/d'
        echo '```'
    } >>"$block"
done

[ -f "$results" ] || printf '# Benchmark results\n\nAppended by `./build.sh bench` (bench/run.sh); newest last.\n' >"$results"
cat "$block" >>"$results"
echo "appended to $results" >&2
exit $status
