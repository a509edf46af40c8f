#!/usr/bin/env bash
# Native baseline for Pbkdf2Benchmark: PBKDF2-HMAC-SHA256 with OpenSSL's `openssl kdf` at the same
# count, same password and salt, one process at a time (so one core). Prints derivations per
# second, after subtracting the cost of starting openssl (measured with iter:1).
# Usage: bench/pbkdf2-vs-openssl.sh [iterations, default 600000] [runs, default 20]
set -euo pipefail
iter=${1:-600000}
runs=${2:-20}
pass="correct horse battery staple"
salt="Xq3vT8kLm2NpR7sW9yZb4c"

derive() {
  openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt "pass:$pass" -kdfopt "salt:$salt" \
    -kdfopt "iter:$1" PBKDF2
}

elapsed_ns() {
  local start end
  start=$(date +%s%N)
  for ((i = 0; i < runs; i++)); do derive "$1" >/dev/null; done
  end=$(date +%s%N)
  echo $((end - start))
}

echo "openssl: $(openssl version)"
echo "key at iter:$iter: $(derive "$iter")"
startup=$(elapsed_ns 1)
total=$(elapsed_ns "$iter")
awk -v t="$total" -v s="$startup" -v n="$runs" -v c="$iter" 'BEGIN {
  per = (t - s) / n / 1e9
  printf "runs=%d iterations=%d  %.1f ms per derivation (startup %.1f ms excluded)  %.2f derivations/s/core\n",
    n, c, per * 1000, s / n / 1e6, 1 / per
}'
