#!/usr/bin/env bash
# Times nbvcxz and zxcvbn4j on long hostile inputs (StrengthHarness), one JVM per measurement so
# an estimate that never ends is cut off by `timeout` instead of burning a core in the background.
# Usage: bench/strength-estimators.sh [deadline seconds, default 20] [caps, default "64 100 0"]
# Keep the machine otherwise idle while it runs, and do not rebuild the module meanwhile: the
# JVMs load test-classes afresh for every measurement.
# Prints: library, input, chars estimated, ms per estimate, entropy bits.
set -euo pipefail
cd "$(dirname "$0")/.."
deadline=${1:-20}
caps=${2:-"64 100 0"}
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
mvn -q -B -pl gateway -am test-compile -DskipTests >/dev/null
cp_file=gateway/target/jmh.classpath
mvn -q -B -pl gateway dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file" >/dev/null
cp="gateway/target/test-classes:gateway/target/classes:$(cat "$cp_file")"
main=com.timereg.gateway.password.bench.StrengthHarness
echo "JDK: $("$java_bin" -version 2>&1 | head -1)"
printf '%-9s %-27s %6s %11s %8s\n' library input chars ms/estimate bits
count=$("$java_bin" -cp "$cp" $main | wc -l)
for cap in $caps; do
  for lib in nbvcxz zxcvbn4j; do
    for ((i = 0; i < count; i++)); do
      name=$("$java_bin" -cp "$cp" $main | sed -n "$((i + 1))p" | cut -d' ' -f2-)
      rc=0
      timeout "$deadline" "$java_bin" -Xss16m -cp "$cp" $main "$lib" "$cap" "$i" || rc=$?
      if ((rc == 124)); then
        printf '%-9s %-27s %6s %11s %8s\n' "$lib" "$name" "cap=$cap" ">${deadline}000" "timeout"
      elif ((rc != 0)); then
        printf '%-9s %-27s %6s %11s %8s\n' "$lib" "$name" "cap=$cap" "exit $rc" "failed"
      fi
    done
  done
done
