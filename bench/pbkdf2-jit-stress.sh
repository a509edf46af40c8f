#!/usr/bin/env bash
# Starts many JVMs that each drive the JDK-intrinsic PBKDF2 backend through C2 (Pbkdf2JitStress)
# and counts crashes and wrong keys. Correctness, not speed: run it after every JDK upgrade,
# since that backend calls a HotSpot intrinsic from outside its class (see JdkSha256HmacChain).
# Usage: bench/pbkdf2-jit-stress.sh [--jdk 17|25] [runs, default 20] [iterations, default 600000]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${1:-} == --jdk ]]; then
  case "$2" in
    25) run_jdk=/usr/lib/jvm/temurin-25-jdk-amd64;;
    17) run_jdk=/usr/lib/jvm/java-17-openjdk-amd64;;
    *) echo "unknown JDK $2" >&2; exit 2;;
  esac
  shift 2
fi
runs=${1:-20}
iter=${2:-600000}
# --jdk picks the JVM that runs; Maven builds with the default JDK (Java 17 bytecode either way).
run_jdk=${run_jdk:-${JAVA_HOME:-}}
java_bin="${run_jdk:+$run_jdk/bin/}java"
mvn -q -B -pl gateway -am test-compile -DskipTests >/dev/null
mvn -q -B -pl gateway generate-resources >/dev/null
mvn -q -B -pl gateway dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/gateway/target/jmh.classpath" >/dev/null
logs=$(mktemp -d)
echo "JDK: $("$java_bin" -version 2>&1 | head -1); runs=$runs iterations=$iter"
crashes=0 wrong=0
for ((r = 0; r < runs; r++)); do
  status=0
  # shellcheck disable=SC2046
  "$java_bin" $(cat gateway/target/jvm.options) -XX:ErrorFile="$logs/hs_err_%p.log" \
    -cp "gateway/target/test-classes:gateway/target/classes:$(cat gateway/target/jmh.classpath)" \
    com.timereg.gateway.password.bench.Pbkdf2JitStress "$iter" >"$logs/run$r.log" 2>&1 || status=$?
  if [[ $status -eq 1 ]]; then wrong=$((wrong + 1)); elif [[ $status -ne 0 ]]; then crashes=$((crashes + 1)); fi
done
echo "crashed: $crashes, wrong keys: $wrong, of $runs JVMs (logs in $logs)"
[[ $crashes -eq 0 && $wrong -eq 0 ]]
