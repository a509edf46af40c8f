#!/usr/bin/env bash
# Lookup time of the HIBP set against a sorted array of 20-byte hashes and a ChronicleSet holding the same
# hashes (JMH LookupBenchmark), then the set alone by thread CPU time (LookupCpuTime), at one size on one JDK.
# Usage: bench/hibp-lookup.sh [ENTRIES] [JDK]     (defaults: 10000000, 17; JDK is 17 or 25)
# Environment: JMH_OPTS (default "-f 1 -wi 3 -i 5 -w 2 -r 2").
#
# The data for a size (set, sorted hashes, persisted ChronicleSet: about 75 bytes per entry) are prepared by
# the first run and kept in /tmp/hibp-lookup-bench/ENTRIES (java.io.tmpdir) for the next; delete it afterwards.
# A set the reader cannot open (after a format change) is rebuilt from the same synthetic input.
# The JMH forks and the CPU-time run get -Xmx3g: the sorted array holds 20 bytes per entry on the heap (2 GB at 10^8).
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-10000000}
jdk=${2:-17}
read -r -a jmh_opts <<< "${JMH_OPTS:--f 1 -wi 3 -i 5 -w 2 -r 2}"
case "$jdk" in
  17) java_home=/usr/lib/jvm/java-17-openjdk-amd64;;
  25) java_home=/usr/lib/jvm/temurin-25-jdk-amd64;;
  *) echo "unknown JDK $jdk" >&2; exit 2;;
esac
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
bench/jmh --jdk "$jdk" --module hibp-loader LookupBenchmark -p entries="$entries" "${jmh_opts[@]}" \
  -jvmArgsAppend -Xmx3g
echo "load after JMH: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2046
"$java_home/bin/java" $(cat gateway/target/jvm.options) -Xmx3g \
  -cp "hibp-loader/target/test-classes:hibp-loader/target/classes:$(cat hibp-loader/target/jmh.classpath)" \
  com.timereg.hibp.bench.LookupCpuTime "/tmp/hibp-lookup-bench/$entries" "$entries"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
