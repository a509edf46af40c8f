#!/usr/bin/env bash
# Loader speed against the input's sequential read speed (`cat file > /dev/null`), measured in the same run.
# Usage: bench/hibp-loader.sh [ENTRIES] [RUNS]     (defaults: 10000000 entries, 3 runs; best run counts)
# Environment: JAVA_HOME picks the JDK; HIBP_BENCH_DIR the scratch directory (default: a new one in /tmp).
#
# Two cases:
#   warm  the input is in the page cache (cat'ed once before): cat is a memory copy, the loader is CPU-bound
#   cold  the input is dropped from the page cache before each run (per file, with dd iflag=nocache: no root,
#         nothing else evicted): both read from disk, which is the case for a real 40-80 GB download
# The loader runs with -Xmx256m to show it streams in constant memory. Build times include JVM start.
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-10000000}
runs=${2:-3}
if [[ -n ${HIBP_BENCH_DIR:-} ]]; then
  work=$HIBP_BENCH_DIR
  mkdir -p "$work"
  trap 'rm -f "$work/input.txt" "$work/set.hibp" "$work/out.txt"' EXIT
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/hibp-bench.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
input="$work/input.txt"
export HIBP_LOADER_JAVA_OPTS="${HIBP_LOADER_JAVA_OPTS:--Xmx256m}"

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
echo "JDK: $("$java_bin" -version 2>&1 | head -1)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
bin/hibp-loader generate -n "$entries" -o "$input" >/dev/null
sync "$input"
size=$(stat -c %s "$input")
echo "input: $entries entries, $size bytes"

drop() { dd if="$input" iflag=nocache count=0 status=none; }
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >"$work/out.txt"; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
best() { local b=""; for _ in $(seq "$runs"); do [[ $1 == cold ]] && drop; local s; s=$(seconds "${@:2}"); if [[ -z $b ]] || (( $(echo "$s < $b" | bc -l) )); then b=$s; fi; done; echo "$b"; }
# The loader's own timing, without JVM start, from its last run: "... in 2.1 s (204 MB/s of input)".
internal() { grep -o 'in [0-9.]* s ([0-9]* MB/s of input)' "$work/out.txt" | tail -1; }
report() {
  local name=$1 cat_s=$2 build_s=$3
  printf '%-5s cat %7.3f s (%7.1f MB/s)   build %7.3f s (%7.1f MB/s)   build/cat speed ratio %.2f\n' "$name" \
    "$cat_s" "$(echo "$size / $cat_s / 1000000" | bc -l)" "$build_s" "$(echo "$size / $build_s / 1000000" | bc -l)" \
    "$(echo "$cat_s / $build_s" | bc -l)"
}

# Whether "warm" really is: on a shared VM the page cache has been seen to hold only part of the input.
resident() { command -v fincore >/dev/null && fincore --bytes --noheadings --output RES "$input" | tr -d ' ' || echo "?"; }
cat "$input" > /dev/null
cat "$input" > /dev/null
echo "in the page cache before the warm runs: $(resident) of $size bytes"
warm_cat=$(best warm cat "$input")
warm_build=$(best warm bin/hibp-loader build "$input" -o "$work/set.hibp")
warm_internal=$(internal)
echo "in the page cache after the warm runs: $(resident) of $size bytes"
cold_cat=$(best cold cat "$input")
cold_build=$(best cold bin/hibp-loader build "$input" -o "$work/set.hibp")
cold_internal=$(internal)
report warm "$warm_cat" "$warm_build"
report cold "$cold_cat" "$cold_build"
echo "loader's own timing, last run, without JVM start: warm $warm_internal; cold $cold_internal"
bin/hibp-loader stats "$work/set.hibp" | sed -n '3,6p'
