#!/usr/bin/env bash
# CPU time per PBKDF2-HMAC-SHA256 derivation, ours against the JDK's and OpenSSL's, in one run.
# For a shared machine: wall-clock figures (JMH, bench/pbkdf2-vs-openssl.sh) there mostly measure
# the scheduler, while the CPU time a derivation takes is much less disturbed by other work.
# Java: Pbkdf2CpuTime (thread CPU time, contenders interleaved, after warm-up), with the gateway's
# JVM flags. OpenSSL: user+sys time of `openssl kdf`, start-up (iter:1) subtracted; measured
# before and after the Java part so a change in load shows.
# Usage: bench/pbkdf2-cpu.sh [--jdk 17|25] [iterations, default 600000] [rounds, default 5]
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
iter=${1:-600000}
rounds=${2:-5}
pass="correct horse battery staple"
salt="Xq3vT8kLm2NpR7sW9yZb4c"
# --jdk picks the JVM that runs; Maven builds with the default JDK (Java 17 bytecode either way).
run_jdk=${run_jdk:-${JAVA_HOME:-}}
java_bin="${run_jdk:+$run_jdk/bin/}java"

mvn -q -B -pl gateway -am test-compile -DskipTests >/dev/null
mvn -q -B -pl gateway generate-resources >/dev/null
mvn -q -B -pl gateway dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/gateway/target/jmh.classpath" >/dev/null

# user+sys CPU seconds of `runs` openssl derivations at the given count
openssl_cpu() {
  local TIMEFORMAT='%3U %3S' out
  out=$( { time (for ((i = 0; i < rounds; i++)); do
    openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt "pass:$pass" -kdfopt "salt:$salt" \
      -kdfopt "iter:$1" PBKDF2 >/dev/null
  done) ; } 2>&1 )
  awk '{ print $1 + $2 }' <<<"$out"
}

openssl_ms() {
  local full startup
  startup=$(openssl_cpu 1)
  full=$(openssl_cpu "$iter")
  awk -v f="$full" -v s="$startup" -v n="$rounds" 'BEGIN { printf "%.1f", (f - s) / n * 1000 }'
}

echo "JDK: $("$java_bin" -version 2>&1 | head -1)"
echo "openssl: $(openssl version)"
echo "iterations=$iter rounds=$rounds; before: $(cut -d' ' -f1-3 /proc/loadavg)"
before=$(openssl_ms)
# shellcheck disable=SC2046
java_out=$("$java_bin" $(cat gateway/target/jvm.options) \
  -cp "gateway/target/test-classes:gateway/target/classes:$(cat gateway/target/jmh.classpath)" \
  com.timereg.gateway.password.bench.Pbkdf2CpuTime "$iter" "$rounds" 2>/dev/null)
after=$(openssl_ms)
echo "after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v before="$before" -v after="$after" -v out="$java_out" 'BEGIN {
  openssl = (before + after) / 2
  n = split(out, lines, "\n")
  for (i = 1; i <= n; i++) { split(lines[i], f, " "); med[f[1]] = f[2]; min[f[1]] = f[3]; order[i] = f[1] }
  printf "%-18s %12s %12s %14s %10s %12s\n", "contender", "median CPU ms", "min CPU ms", "derivations/s", "vs jdk", "vs openssl"
  for (i = 1; i <= n; i++) {
    k = order[i]
    printf "%-18s %12.1f %12.1f %14.2f %10.2f %12.2f\n", k, med[k], min[k], 1000 / med[k], med["jdk"] / med[k], openssl / med[k]
  }
  printf "%-18s %12.1f %12s %14.2f %10.2f %12.2f   (before %.1f, after %.1f)\n", "openssl", openssl, "-", 1000 / openssl, med["jdk"] / openssl, 1, before, after
}'
