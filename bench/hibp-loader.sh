#!/usr/bin/env bash
# Loader speed against the input's sequential read speed (`cat file > /dev/null`), measured in the same run.
# Usage: bench/hibp-loader.sh [ENTRIES] [RUNS]     (defaults: 10000000 entries, 3 runs)
# Environment:
#   JAVA_HOME                 the JDK (default: `java` on the PATH)
#   HIBP_BENCH_DIR            scratch directory (default: a new one in /tmp); an input.txt already there with
#                             ENTRIES lines is reused (generating 10^8 lines takes a while)
#   HIBP_BENCH_BASELINE_JAR   another build of the loader (e.g. main's hibp-loader.jar, with its lib/ beside
#                             it), timed in the same runs, interleaved, so before and after share the minute
#   HIBP_BENCH_DIRECT=1       also time `build --direct-io` (O_DIRECT, past the page cache) in the same runs,
#                             and the baseline's too when there is one
#
# Two cases:
#   warm  the input is in the page cache (cat'ed before): cat is a memory copy, the loader is CPU-bound
#   cold  the page cache is dropped before every timed command, so each reads from disk, as a real 40-80 GB
#         download always does (it never fits the page cache). As root the whole cache is dropped
#         (sync; echo 3 > /proc/sys/vm/drop_caches); otherwise only the input's pages (dd iflag=nocache),
#         which leaves other files' pages and is weaker. The script says which it used.
# Each run times cat, dd, the loader (and the baseline) one after the other, in an order that rotates from run to
# run; a run's ratio compares its own cat with its own build. The disk of a shared VM varies a lot from one
# minute to the next, so the summary gives the median of the per-run ratios, and every run is printed.
# The loader runs with -Xmx256m to show it streams in constant memory. Build times include JVM start, which
# is timed separately (`--version`).
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-10000000}
runs=${2:-3}
if [[ -n ${HIBP_BENCH_DIR:-} ]]; then
  work=$HIBP_BENCH_DIR
  mkdir -p "$work"
  trap 'rm -f "$work/set.hibp" "$work/out.txt" "$work/time.txt"' EXIT
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/hibp-bench.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
input="$work/input.txt"
export HIBP_LOADER_JAVA_OPTS="${HIBP_LOADER_JAVA_OPTS:--Xmx256m}"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
baseline=${HIBP_BENCH_BASELINE_JAR:-}

echo "JDK: $("$java_bin" -version 2>&1 | head -1)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
bin/hibp-loader --version >/dev/null  # builds the jar if it is stale, before anything is timed
if [[ -f $input && $(wc -l <"$input") -eq $entries ]]; then
  echo "input: reusing $input"
else
  bin/hibp-loader generate -n "$entries" -o "$input" >/dev/null
fi
sync "$input"
size=$(stat -c %s "$input")
echo "input: $entries entries, $size bytes"

if [[ -w /proc/sys/vm/drop_caches ]]; then
  drop_how="whole page cache (sync; echo 3 > /proc/sys/vm/drop_caches)"
  drop() { sync; echo 3 >/proc/sys/vm/drop_caches; }
else
  drop_how="the input's pages only (dd iflag=nocache; not root)"
  drop() { dd if="$input" iflag=nocache count=0 status=none; }
fi
echo "cold runs drop: $drop_how"

# Runs a command with its output going to OUT; prints "wall user+sys" in seconds (wall from the clock in
# ns, since time(1) rounds to 10 ms, which is 10% of a warm cat at 10^7 entries).
timed() {
  local out=$1 t0 t1
  shift
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$work/time.txt" "$@" >"$out"
  t1=$(date +%s%N)
  awk -v ns=$((t1 - t0)) '{ printf "%.3f %.2f\n", ns / 1e9, $1 + $2 }' "$work/time.txt"
}
# The loader's own timing, without JVM start: "... in 2.1 s (2041 MB/s of input)".
internal() { grep -o '[0-9]* MB/s of input' "$work/out.txt" | tail -1 | cut -d' ' -f1; }
resident() { command -v fincore >/dev/null && fincore --bytes --noheadings --output RES "$input" | tr -d ' ' || echo "?"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { echo "$1 / $2" | bc -l; }

jvm=()
for _ in $(seq "$runs"); do jvm+=("$(timed /dev/null bin/hibp-loader --version | cut -d' ' -f1)"); done
jvm_start=$(printf '%s\n' "${jvm[@]}" | median)
echo "JVM start + CLI (--version), median of $runs: $jvm_start s"

# dd with 4 MiB requests (the loader's read size) is a second reference: on this VM a cold `cat` (128 KiB
# requests) spends seconds of system time and reads slower than large requests do.
names=(cat dd build)
[[ -n ${HIBP_BENCH_DIRECT:-} ]] && names+=(direct)
[[ -n $baseline ]] && names+=(baseline)
[[ -n $baseline && -n ${HIBP_BENCH_DIRECT:-} ]] && names+=(baseline-direct)
one() {
  case $1 in
    # To /dev/null: cat into a file would time a 4.3 GB copy (as the first version of this script did).
    cat) timed /dev/null cat "$input" ;;
    dd) timed /dev/null dd if="$input" of=/dev/null bs=4M status=none ;;
    build) timed "$work/out.txt" bin/hibp-loader build "$input" -o "$work/set.hibp" ;;
    direct) timed "$work/out.txt" bin/hibp-loader build --direct-io "$input" -o "$work/set.hibp" ;;
    # shellcheck disable=SC2086
    baseline) timed "$work/out.txt" "$java_bin" $HIBP_LOADER_JAVA_OPTS -jar "$baseline" build "$input" \
      -o "$work/set.hibp" ;;
    # shellcheck disable=SC2086
    baseline-direct) timed "$work/out.txt" "$java_bin" $HIBP_LOADER_JAVA_OPTS -jar "$baseline" build --direct-io \
      "$input" -o "$work/set.hibp" ;;
  esac
}

for mode in warm cold; do
  if [[ $mode == warm ]]; then
    cat "$input" >/dev/null
    cat "$input" >/dev/null
    echo "warm: in the page cache before the runs: $(resident) of $size bytes"
  fi
  declare -A ratios=() walls=()
  for run in $(seq "$runs"); do
    line="$mode run $run:"
    declare -A wall=()
    n=${#names[@]}
    for k in $(seq 0 $((n - 1))); do
      name=${names[$(((k + run - 1) % n))]}
      [[ $mode == cold ]] && drop
      read -r w c < <(one "$name")
      wall[$name]=$w
      walls[$name]+="$w "
      mbs=""
      [[ $name == build || $name == direct || $name == baseline* ]] && mbs=", own $(internal) MB/s"
      line+=$(printf '  %s %.3f s (CPU %.2f s%s)' "$name" "$w" "$c" "$mbs")
    done
    for name in "${names[@]:1}"; do
      r=$(ratio "${wall[cat]}" "${wall[$name]}")
      ratios[$name]+="$r "
      line+=$(printf '  %s/cat speed %.2f' "$name" "$r")
    done
    echo "$line"
  done
  [[ $mode == warm ]] && echo "warm: in the page cache after the runs: $(resident) of $size bytes"
  for name in "${names[@]}"; do
    # shellcheck disable=SC2086
    med=$(printf '%s\n' ${walls[$name]} | median)
    printf '%s %s: median wall %.3f s' "$mode" "$name" "$med"
    [[ $name == cat ]] || printf ', speed ratio to cat: median %.2f (runs: %s)' \
      "$(printf '%s\n' ${ratios[$name]} | median)" "$(printf '%.2f ' ${ratios[$name]})"
    [[ $name == build || $name == direct || $name == baseline* ]] &&
      printf ', JVM start %.0f%% of it' "$(echo "100 * $jvm_start / $med" | bc -l)"
    echo
  done
  unset ratios walls
done
bin/hibp-loader stats "$work/set.hibp" | sed -n '3,6p'
