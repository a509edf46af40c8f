#!/usr/bin/env bash
# The gateway side by side with the backend alone and with nginx, on this machine, in one run:
#   - authenticated GETs: backend direct and nginx proxy_pass in clear HTTP/1.1; nginx and the
#     gateway over TLS with HTTP/1.1 (wrk) and with HTTP/2 (h2load); the gateway verifies a bearer
#     token on every request, nginx forwards it unread;
#   - refusing a blocked client: the gateway's 429 against nginx's `deny` 403, both over TLS, from
#     a client address (127.0.9.9) that the gateway has really blocked after failed logins;
#   - logins per second (POST /auth/token, PBKDF2 at 600,000 iterations) against what `openssl kdf`
#     derives per second on the same cores.
# Every figure of a pass comes from the same run; the gateway runs once per JDK (17 and 25), the
# backend (JDK 17) and nginx stay. Prints the figures and ratios and appends them, with date,
# commit, JDKs and load average, to docs/benchmarks.md.
#
# Usage: bench/compare.sh [--duration S] [--warmup S] [--jvm-warmup S] [--connections N]
#                         [--threads N] [--workers N] [--rounds N] [--jdks "17 25"]
#                         [--path /api/timesheets] [--access-log] [--rates "0.5 0.8"] [--no-record] [--keep]
# --duration: seconds per figure (10); --warmup: seconds of the same load before each figure (3);
# --jvm-warmup: seconds of load on a freshly started gateway before any figure (30), because the
# JIT needs tens of thousands of requests and, on a loaded machine, far longer than --warmup.
# --rounds: how often the proxied TLS HTTP/1.1 pair (nginx, then the gateway) is measured in turn
# (1); with more, the report adds the median of the per-round ratios and their range, which on a
# shared machine says more than any single pair.
# --rates: fractions of nginx's TLS HTTP/1.1 throughput (its first round, this JDK's pass) at which both are
# then offered the same fixed request rate, in turn, every round (none by default). wrk above measures at
# saturation, where each server's latency is mostly its own queue; at a fixed rate below it, both carry the
# same load and the percentiles compare the servers, not their throughputs. h2load --h1 --rps paces each
# connection and logs every request after its warm-up (start, status, microseconds), so the TLS handshakes
# fall in the warm-up; its latency counts from when a request was sent, so a request held back behind a slow
# one on the same connection is not counted late. The pair's order alternates from round to round.
# --access-log: both keep an access log in a file (nginx: its default format, unbuffered; the gateway: its
# JSON lines). Off by default, for both.
# --workers: nginx worker processes and gateway event loops, the same number for both (1). One each
# by default: on this 2-core machine the load generator and the backend need the other core, and
# with two each the servers' threads and wrk take turns on the cores; nginx then lands all of wrk's
# connections on one worker in some runs and not in others, which moved its figures by half.
# Needs: wrk, nginx, h2load (nghttp2-client), openssl, gcc, curl, python3, PostgreSQL server
# binaries; as root it installs the missing Debian packages. Network: loopback only.
#
# Why an LD_PRELOAD shim (bench/bindaddr.c): wrk cannot choose its source address, and the block
# is per client address. The shim binds wrk's sockets to 127.0.9.9 before connect(), so the
# refusals measured are the ones a blocked client really gets. The script checks that the shim
# took effect (the gateway answers 429 and nginx 403 only from that address) before measuring.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

duration=10 warmup=3 jvm_warmup=30 connections=16 threads=1 workers=1 rounds=1 jdks="17 25" path=/api/timesheets record=1 keep=0 access_log=0 rates=""
while (($#)); do
  case "$1" in
    --duration) duration=$2; shift 2;;
    --warmup) warmup=$2; shift 2;;
    --jvm-warmup) jvm_warmup=$2; shift 2;;
    --connections) connections=$2; shift 2;;
    --threads) threads=$2; shift 2;;
    --workers) workers=$2; shift 2;;
    --rounds) rounds=$2; shift 2;;
    --access-log) access_log=1; shift;;
    --rates) rates=$2; shift 2;;
    --jdks) jdks=$2; shift 2;;
    --path) path=$2; shift 2;;
    --no-record) record=0; shift;;
    --keep) keep=1; shift;;
    -h|--help) sed -n '2,30p' "$0"; exit 0;;
    *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2;;
  esac
done
# A login takes tens of milliseconds of CPU: at least 10 s, so that a figure counts dozens of them.
login_duration=$((duration > 10 ? duration : 10))
args="--duration $duration --warmup $warmup --jvm-warmup $jvm_warmup --connections $connections --threads $threads --workers $workers --rounds $rounds --jdks \"$jdks\" --path $path$( ((access_log)) && echo " --access-log" || true )$([[ -n $rates ]] && echo " --rates \"$rates\"" || true)"

jdk_home() {
  case "$1" in
    17) echo /usr/lib/jvm/java-17-openjdk-amd64;;
    25) echo /usr/lib/jvm/temurin-25-jdk-amd64;;
    *) echo "$1";;
  esac
}
for j in $jdks; do
  [[ -x "$(jdk_home "$j")/bin/java" ]] || { echo "compare.sh: no JDK at $(jdk_home "$j")" >&2; exit 2; }
done

# --- prerequisites -------------------------------------------------------------------------------
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
command -v h2load >/dev/null || need+=(nghttp2-client)
command -v gcc >/dev/null || need+=(gcc)
command -v openssl >/dev/null || need+=(openssl)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
if ((${#need[@]})); then
  if [[ $EUID -ne 0 ]]; then
    echo "compare.sh: missing ${need[*]}; install them (Debian packages) and run again" >&2
    exit 2
  fi
  echo "installing ${need[*]} ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
pg_bin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")

# --- scratch space and cleanup -------------------------------------------------------------------
work=$(mktemp -d /tmp/gateway-bench.XXXXXX)
chmod 755 "$work"   # PostgreSQL runs as its own user and must reach its directory
pids=()
pg_started=0
as_pg() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  local status=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  ((pg_started)) && as_pg "$pg_bin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  if ((status != 0)); then
    echo "compare.sh failed; logs in $work" >&2
  elif ((keep)); then
    echo "scratch directory kept: $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
# Waits until the file contains the text, or fails after $3 seconds (or when process $4 died).
wait_for_line() {
  local file=$1 text=$2 limit=$3 pid=${4:-} i
  for ((i = 0; i < limit * 2; i++)); do
    grep -q -- "$text" "$file" 2>/dev/null && return 0
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "compare.sh: '$text' did not appear in $file; its end:" >&2
  tail -20 "$file" >&2 || true
  return 1
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# --- build and fixed parts: certificate, session key, shim, PostgreSQL, backend, nginx ----------
echo "building the gateway if needed ..." >&2
bin/gateway --help >/dev/null
gcc -shared -fPIC -O2 -o "$work/bindaddr.so" bench/bindaddr.c -ldl
blocked_ip=127.0.9.9
shim=(env LD_PRELOAD="$work/bindaddr.so" BIND_SOURCE_ADDRESS=$blocked_ip)

mkdir -p "$work/tls"
# One certificate for nginx and the gateway, of the kind the gateway makes for itself (EC P-256).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$work/tls/key.pem" -out "$work/tls/cert.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/session.pem" 2>/dev/null

pg_port=$(free_port)
mkdir -p "$work/pg"
[[ $EUID -eq 0 ]] && chown postgres "$work/pg"
as_pg "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w \
  -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=''" start >/dev/null
pg_started=1
psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -q \
  -c "CREATE ROLE gateway LOGIN" -c "CREATE DATABASE gateway OWNER gateway"

mkdir -p "$work/seed"   # dev mode with GATEWAY_DATABASE_URL does not create its data directory
# The demo customer and users, created by dev mode itself (its schema, its hashing) against this
# PostgreSQL; the benchmarked gateway then runs in production mode on the same database.
echo "seeding the demo users ..." >&2
GATEWAY_DATABASE_URL="postgresql://gateway@127.0.0.1:$pg_port/gateway" GATEWAY_DATA_DIR="$work/seed" \
  GATEWAY_PUBLIC__HOST=127.0.0.1 GATEWAY_PUBLIC__PORT=0 GATEWAY_ADMIN__PORT=0 \
  bin/gateway --dev >"$work/seed.out" 2>"$work/seed.log" &
seed_pid=$!
pids+=("$seed_pid")
wait_for_line "$work/seed.out" "Gateway (dev mode) is running" 300 "$seed_pid"
stop_pid "$seed_pid"

backend_port=$(free_port)
bin/demo-backend --host 127.0.0.1 --port "$backend_port" >"$work/backend.log" 2>&1 &
pids+=($!)
for ((i = 0; i < 120; i++)); do
  curl -sf -o /dev/null "http://127.0.0.1:$backend_port$path" && break
  sleep 0.5
done

nginx_http=$(free_port) nginx_tls=$(free_port) nginx_deny=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<EOF
# Written by bench/compare.sh: a plain reverse proxy, tuned the usual way (upstream keep-alive).
daemon off;
worker_processes $workers;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  $( ((access_log)) && echo "access_log $work/nginx/logs/access.log;" || echo "access_log off;" )
  # nginx closes a client connection after 1,000 requests by default (HTTP/2 included), and
  # h2load does not reconnect: a benchmark would measure the limit, not nginx.
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  # Idle upstream connections kept per worker: more than the 16 x 10 concurrent HTTP/2 streams,
  # or nginx would open and close backend connections all the time.
  upstream backend { server 127.0.0.1:$backend_port; keepalive 256; keepalive_requests 1000000; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host \$host;
  proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
  proxy_set_header X-Forwarded-Proto \$scheme;
  ssl_certificate $work/tls/cert.pem;
  ssl_certificate_key $work/tls/key.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  server { listen 127.0.0.1:$nginx_http; location / { proxy_pass http://backend; } }
  server { listen 127.0.0.1:$nginx_tls ssl http2; location / { proxy_pass http://backend; } }
  server {
    listen 127.0.0.1:$nginx_deny ssl;
    location / { deny $blocked_ip; allow all; proxy_pass http://backend; }
  }
}
EOF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
for ((i = 0; i < 40; i++)); do
  curl -sf -o /dev/null "http://127.0.0.1:$nginx_http$path" && break
  sleep 0.25
done

# --- measuring -----------------------------------------------------------------------------------
declare -A R   # R[jdk:name:rps|p50|p99|bad]
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
to_ms() {  # wrk latency such as 812.00us, 1.20ms, 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
# run_wrk KEY URL [wrk args...]: warm-up, then the measurement; records req/s, p50, p99 and the
# count of answers that were not 2xx/3xx.
run_wrk() {
  local key=$1 url=$2 out
  shift 2
  "${wrk_prefix[@]}" wrk -t"$threads" -c"$connections" -d"${warmup}s" "$@" "$url" >/dev/null
  out=$("${wrk_prefix[@]}" wrk --latency -t"$threads" -c"$connections" -d"${measure:-$duration}s" "$@" "$url")
  echo "$out" >"$work/$key.wrk.txt"
  R[$key:rps]=$(awk '/^Requests\/sec/ { printf ($2 < 100 ? "%.1f" : "%.0f"), $2 }' <<<"$out")
  R[$key:p50]=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  R[$key:p99]=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  R[$key:total]=$(awk '/requests in/ { print $1 }' <<<"$out")
  R[$key:bad]=$(awk '/Non-2xx or 3xx/ { print $5 }' <<<"$out")
  R[$key:bad]=${R[$key:bad]:-0}
  printf '  %-28s %8s req/s  p50 %7s ms  p99 %7s ms  non-2xx %s\n' "$key" "${R[$key:rps]}" \
    "${R[$key:p50]}" "${R[$key:p99]}" "${R[$key:bad]}" >&2
}
# run_h2 KEY URL [h2load args...]: HTTP/2 over TLS, 10 streams per connection.
run_h2() {
  local key=$1 url=$2 out
  shift 2
  out=$(h2load -t"$threads" -c"$connections" -m10 --warm-up-time="$warmup" -D"$duration" "$@" "$url" 2>&1)
  echo "$out" >"$work/$key.h2load.txt"
  R[$key:rps]=$(awk '/^finished in/ { gsub(",", "", $4); printf "%.0f", $4 }' <<<"$out")
  R[$key:ok]=$(awk '/^status codes:/ { print $3 }' <<<"$out")
  R[$key:total]=$(awk '/^requests:/ { print $2 }' <<<"$out")
  if ! grep -q "^Application protocol: h2" <<<"$out" || [[ -z ${R[$key:rps]} || ${R[$key:ok]:-0} == 0 ]]; then
    tail -20 <<<"$out" >&2
    echo "compare.sh: h2load got no HTTP/2 answers from $url" >&2
    exit 1
  fi
  printf '  %-28s %8s req/s  (2xx %s of %s)\n' "$key" "${R[$key:rps]}" "${R[$key:ok]}" "${R[$key:total]}" >&2
}
# run_rate KEY URL RATE [h2load args...]: TLS HTTP/1.1 at a fixed offered rate (RATE requests/s over all
# connections), warm-up then measurement; records the achieved rate and the latency percentiles of every
# request of the measurement, from h2load's per-request log.
run_rate() {
  local key=$1 url=$2 rate=$3 per out
  shift 3
  per=$(awk -v r="$rate" -v c="$connections" 'BEGIN { printf "%.1f", r / c }')
  rm -f "$work/$key.rate.log"   # h2load appends to its log
  out=$(h2load --h1 -t"$threads" -c"$connections" --rps="$per" --warm-up-time="$warmup" -D"$duration" \
    --log-file="$work/$key.rate.log" "$@" "$url" 2>&1)
  echo "$out" >"$work/$key.h2load.txt"
  if ! grep -q "^Application protocol: http/1.1" <<<"$out"; then
    tail -20 <<<"$out" >&2
    echo "compare.sh: h2load --h1 got no HTTP/1.1 answers from $url" >&2
    exit 1
  fi
  R[$key:bad]=$(awk '$2 < 200 || $2 > 399 { n++ } END { print n + 0 }' "$work/$key.rate.log")
  read -r R[$key:n] R[$key:p50] R[$key:p90] R[$key:p99] R[$key:p999] R[$key:max] < <(
    awk '{ print $3 }' "$work/$key.rate.log" | sort -n | awk '{ v[NR] = $1 }
      function q(p,  i) { i = int(p * NR + 0.999999); if (i < 1) i = 1; return v[i] / 1000 }
      END { printf "%d %.2f %.2f %.2f %.2f %.2f\n", NR, q(0.5), q(0.9), q(0.99), q(0.999), v[NR] / 1000 }')
  R[$key:rps]=$(awk -v n="${R[$key:n]}" -v d="$duration" 'BEGIN { printf "%.0f", n / d }')
  printf '  %-28s %8s req/s offered %s: p50 %s p90 %s p99 %s p99.9 %s max %s ms  non-2xx %s\n' "$key" \
    "${R[$key:rps]}" "$rate" "${R[$key:p50]}" "${R[$key:p90]}" "${R[$key:p99]}" "${R[$key:p999]}" \
    "${R[$key:max]}" "${R[$key:bad]}" >&2
}
# PBKDF2-HMAC-SHA256 derivations per second of `openssl kdf` on every core at once.
pbkdf2_rate() {
  local cores end start stop total=0 f
  cores=$(nproc)
  start=$(date +%s%N)
  end=$((start + login_duration * 1000000000))
  for ((c = 0; c < cores; c++)); do
    (n=0; while (($(date +%s%N) < end)); do
      openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt pass:benchmark -kdfopt salt:Xq3vT8kLm2NpR7sW \
        -kdfopt iter:600000 PBKDF2 >/dev/null
      n=$((n + 1))
    done; echo "$n" >"$work/kdf.$c") &
  done
  wait
  stop=$(date +%s%N)
  for f in "$work"/kdf.*; do total=$((total + $(cat "$f"))); done
  rm -f "$work"/kdf.*
  awk -v n="$total" -v ns=$((stop - start)) 'BEGIN { printf "%.1f", n / (ns / 1e9) }'
}
token() {
  curl -sk -X POST "https://127.0.0.1:$gw_port/auth/token" -H 'Content-Type: application/json' \
    -d '{"username":"alice@demo.test","password":"alice-demo-Tidsreg-2026"}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}
# Fails logins from the blocked address until the gateway refuses it (or gives up after 40).
block_address() {
  local i code
  for ((i = 1; i <= 40; i++)); do
    code=$("${shim[@]}" curl -sk -o /dev/null -w '%{http_code}' -X POST "https://127.0.0.1:$gw_port/auth/token" \
      -H 'Content-Type: application/json' -d "{\"username\":\"bench-$i@blocked.invalid\",\"password\":\"wrong-$i\"}")
    [[ $code == 429 ]] && return 0
  done
  echo "compare.sh: $blocked_ip is not refused after 40 failed logins" >&2
  return 1
}
expect_status() {  # expect_status WANT DESCRIPTION curl-args...
  local want=$1 what=$2 got
  shift 2
  got=$("$@" -sk -o /dev/null -w '%{http_code}')
  [[ $got == "$want" ]] || { echo "compare.sh: $what answered $got, expected $want" >&2; exit 1; }
}

echo "backend :$backend_port, nginx :$nginx_http (clear) :$nginx_tls (TLS, h2) :$nginx_deny (TLS, deny), PostgreSQL :$pg_port" >&2
declare -A JDK_NAME LOAD_BEFORE LOAD_AFTER
for j in $jdks; do
  home=$(jdk_home "$j")
  JDK_NAME[$j]=$("$home/bin/java" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')
  gw_port=$(free_port) admin_port=$(free_port)
  echo "== JDK ${JDK_NAME[$j]}: gateway :$gw_port; load average $(loadavg)" >&2
  LOAD_BEFORE[$j]=$(loadavg)
  JAVA_HOME=$home GATEWAY_DATA_DIR="$work/gw-$j" \
    GATEWAY_PUBLIC__EVENT_LOOPS=$workers GATEWAY_PUBLIC__HOST=127.0.0.1 GATEWAY_PUBLIC__PORT=$gw_port \
    GATEWAY_PUBLIC__ACCESS_LOG=$( ((access_log)) && echo "$work/gw-$j.access.log" || echo off ) \
    GATEWAY_ADMIN__PORT=$admin_port \
    GATEWAY_DATABASE__HOST=127.0.0.1 GATEWAY_DATABASE__PORT=$pg_port GATEWAY_DATABASE__NAME=gateway \
    GATEWAY_DATABASE__USER=gateway GATEWAY_DATABASE__SSL_MODE=disable \
    GATEWAY_BACKEND__URL="http://127.0.0.1:$backend_port" \
    GATEWAY_TLS__CERT_FILE="$work/tls/cert.pem" GATEWAY_TLS__KEY_FILE="$work/tls/key.pem" \
    GATEWAY_SESSION__SIGNING_KEY="$(cat "$work/session.pem")" \
    bin/gateway >"$work/gw-$j.out" 2>"$work/gw-$j.log" &
  gw_pid=$!
  pids+=("$gw_pid")
  wait_for_line "$work/gw-$j.log" "public HTTPS listener on" 180 "$gw_pid"
  for ((i = 0; i < 60; i++)); do
    curl -sf -o /dev/null "http://127.0.0.1:$admin_port/health/ready" && break
    sleep 0.5
  done
  bearer=$(token)
  expect_status 200 "the gateway with a token" curl -H "Authorization: Bearer $bearer" "https://127.0.0.1:$gw_port$path"
  block_address
  echo " warming up the JVMs for ${jvm_warmup} s" >&2
  wrk -t"$threads" -c"$connections" -d"$((jvm_warmup / 2 + 1))s" -H "Authorization: Bearer $bearer" \
    "https://127.0.0.1:$gw_port$path" >/dev/null
  h2load -t"$threads" -c"$connections" -m10 -D"$((jvm_warmup / 4 + 1))" -H "Authorization: Bearer $bearer" \
    "https://127.0.0.1:$gw_port$path" >/dev/null 2>&1
  # The backend too (it keeps running across passes), and the gateway's refusal path.
  wrk -t"$threads" -c"$connections" -d"$((jvm_warmup / 4 + 1))s" "http://127.0.0.1:$backend_port$path" >/dev/null
  "${shim[@]}" wrk -t"$threads" -c"$connections" -d"$((jvm_warmup / 4 + 1))s" "https://127.0.0.1:$gw_port$path" >/dev/null

  wrk_prefix=()
  echo " authenticated GET $path" >&2
  run_wrk "$j:backend-http" "http://127.0.0.1:$backend_port$path"
  run_wrk "$j:nginx-http" "http://127.0.0.1:$nginx_http$path"
  run_wrk "$j:nginx-tls" "https://127.0.0.1:$nginx_tls$path"
  bearer=$(token)   # access tokens live 5 minutes: a fresh one for every gateway measurement
  run_wrk "$j:gateway-tls" "https://127.0.0.1:$gw_port$path" -H "Authorization: Bearer $bearer"
  R[$j:rounds]=$(ratio "${R[$j:gateway-tls:rps]}" "${R[$j:nginx-tls:rps]}")
  R[$j:rounds-p99]="${R[$j:gateway-tls:p99]} / ${R[$j:nginx-tls:p99]}"
  for ((round = 2; round <= rounds; round++)); do
    run_wrk "$j:nginx-tls-$round" "https://127.0.0.1:$nginx_tls$path"
    bearer=$(token)
    run_wrk "$j:gateway-tls-$round" "https://127.0.0.1:$gw_port$path" -H "Authorization: Bearer $bearer"
    for k in nginx-tls-$round gateway-tls-$round; do
      [[ ${R[$j:$k:bad]} == 0 ]] || { echo "compare.sh: $k: ${R[$j:$k:bad]} answers were not 2xx" >&2; exit 1; }
    done
    R[$j:rounds]+=" $(ratio "${R[$j:gateway-tls-$round:rps]}" "${R[$j:nginx-tls-$round:rps]}")"
    R[$j:rounds-p99]+=", ${R[$j:gateway-tls-$round:p99]} / ${R[$j:nginx-tls-$round:p99]}"
  done
  for f in $rates; do
    rate=$(awk -v f="$f" -v r="${R[$j:nginx-tls:rps]}" 'BEGIN { printf "%.0f", f * r }')
    echo " fixed rate: $f x nginx's $(printf %s "${R[$j:nginx-tls:rps]}") req/s = $rate req/s, TLS HTTP/1.1 (h2load --h1 --rps)" >&2
    R[$j:rate-$f]=$rate
    for ((round = 1; round <= rounds; round++)); do
      for who in $( ((round % 2)) && echo "nginx gateway" || echo "gateway nginx"); do
        if [[ $who == nginx ]]; then
          run_rate "$j:nginx-rate-$f-$round" "https://127.0.0.1:$nginx_tls$path" "$rate"
        else
          bearer=$(token)
          run_rate "$j:gateway-rate-$f-$round" "https://127.0.0.1:$gw_port$path" "$rate" -H "Authorization: Bearer $bearer"
        fi
      done
      for k in nginx-rate-$f-$round gateway-rate-$f-$round; do
        [[ ${R[$j:$k:bad]} == 0 ]] || { echo "compare.sh: $k: ${R[$j:$k:bad]} answers were not 2xx" >&2; exit 1; }
      done
      for q in p50 p99 p999; do
        R[$j:rate-$f:$q]+="${R[$j:rate-$f:$q]:+, }${R[$j:gateway-rate-$f-$round:$q]} / ${R[$j:nginx-rate-$f-$round:$q]}"
      done
      R[$j:rate-$f:achieved]+="${R[$j:rate-$f:achieved]:+, }${R[$j:gateway-rate-$f-$round:rps]} / ${R[$j:nginx-rate-$f-$round:rps]}"
    done
  done
  run_h2 "$j:nginx-h2" "https://127.0.0.1:$nginx_tls$path"
  bearer=$(token)
  run_h2 "$j:gateway-h2" "https://127.0.0.1:$gw_port$path" -H "Authorization: Bearer $bearer"

  echo " logins" >&2
  printf '{"username":"alice@demo.test","password":"alice-demo-Tidsreg-2026"}' >"$work/login.json"
  cat >"$work/login.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = io.open("$work/login.json"):read("*a")
EOF
  # Four connections: the verification pool (2 threads, queue 8) is busy, never overflowing into 503s.
  saved_connections=$connections
  connections=4 measure=$login_duration
  run_wrk "$j:gateway-login" "https://127.0.0.1:$gw_port/auth/token" -s "$work/login.lua"
  connections=$saved_connections measure=
  R[$j:pbkdf2]=$(pbkdf2_rate)
  printf '  %-28s %8s derivations/s on %s cores\n' "openssl kdf PBKDF2" "${R[$j:pbkdf2]}" "$(nproc)" >&2

  echo " blocked client $blocked_ip" >&2
  expect_status 429 "the gateway to $blocked_ip" "${shim[@]}" curl "https://127.0.0.1:$gw_port$path"
  expect_status 401 "the gateway to 127.0.0.1 without a token" curl "https://127.0.0.1:$gw_port$path"
  expect_status 403 "nginx deny to $blocked_ip" "${shim[@]}" curl "https://127.0.0.1:$nginx_deny$path"
  expect_status 200 "nginx deny to 127.0.0.1" curl "https://127.0.0.1:$nginx_deny$path"
  wrk_prefix=("${shim[@]}")
  run_wrk "$j:gateway-blocked" "https://127.0.0.1:$gw_port$path"
  run_wrk "$j:nginx-deny" "https://127.0.0.1:$nginx_deny$path"
  wrk_prefix=()
  for k in gateway-blocked nginx-deny; do
    # Every answer must have been the refusal: a count of non-2xx equal to the request count.
    [[ ${R[$j:$k:bad]} == "${R[$j:$k:total]}" ]] ||
      { echo "compare.sh: $k: ${R[$j:$k:bad]} refusals of ${R[$j:$k:total]} answers" >&2; exit 1; }
  done
  for k in backend-http nginx-http nginx-tls gateway-tls gateway-login; do
    [[ ${R[$j:$k:bad]} == 0 ]] || { echo "compare.sh: $k: ${R[$j:$k:bad]} answers were not 2xx" >&2; exit 1; }
  done
  LOAD_AFTER[$j]=$(loadavg)
  stop_pid "$gw_pid"
done

# --- report --------------------------------------------------------------------------------------
cell() { printf '%s req/s (p50 %s, p99 %s ms)' "${R[$1:rps]}" "${R[$1:p50]}" "${R[$1:p99]}"; }
commit=$(git rev-parse --short HEAD)
[[ -n $(git status --porcelain -- gateway pom.xml bench) ]] && commit="$commit (with uncommitted changes)"
header="|$(for j in $jdks; do printf ' | JDK %s' "${JDK_NAME[$j]}"; done) |"
sep="|---|$(for j in $jdks; do printf -- '---:|'; done)"
# One table row: LABEL then, per JDK, what the KIND function prints for that JDK.
row() {
  local label=$1 kind=$2 j
  shift 2
  printf '| %s |' "$label"
  for j in $jdks; do printf ' %s |' "$("$kind" "$j" "$@")"; done
  printf '\n'
}
v_cell() { cell "$1:$2"; }
v_login() { printf '%s logins/s (p50 %s, p99 %s ms)' "${R[$1:gateway-login:rps]}" "${R[$1:gateway-login:p50]}" "${R[$1:gateway-login:p99]}"; }
v_rps() { printf "%s req/s" "${R[$1:$2:rps]}"; }
v_ratio() { ratio "${R[$1:$2:rps]}" "${R[$1:$3:rps]}"; }
v_pbkdf2() { printf '%s /s' "${R[$1:pbkdf2]}"; }
v_login_ratio() { ratio "${R[$1:gateway-login:rps]}" "${R[$1:pbkdf2]}"; }
# The median of the rounds' ratios, then all of them in order.
v_rounds() {
  local sorted
  sorted=$(tr ' ' '\n' <<<"${R[$1:rounds]}" | sort -n | tr '\n' ' ')
  awk -v s="$sorted" -v all="${R[$1:rounds]}" 'BEGIN { n = split(s, v, " ");
    m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2; printf "**%.2f** (%s)", m, all }'
}
v_rate() { printf '%s req/s: %s' "${R[$1:rate-$2]}" "${R[$1:rate-$2:$3]}"; }
v_rounds_p99() { printf '%s ms' "${R[$1:rounds-p99]}"; }
report=$(
  echo "### $(date -u '+%Y-%m-%d %H:%M') UTC, commit $commit: \`bench/compare.sh $args\`"
  echo
  loads=$(for j in $jdks; do printf '%s before and %s after the JDK %s pass; ' "${LOAD_BEFORE[$j]}" "${LOAD_AFTER[$j]}" "$j"; done)
  echo "$(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), shared with other work;" \
    "load average (1, 5, 15 min) ${loads%; }."
  echo "Client and servers share the cores. wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }'), $threads thread(s)," \
    "$connections connections; h2load $(h2load --version | awk '{ print $2 }'), $connections connections × 10 streams;" \
    "${duration} s per figure after ${warmup} s of warm-up. nginx $("$nginx_bin" -v 2>&1 | awk -F/ '{ print $2 }')," \
    "$workers worker(s), upstream keep-alive; the gateway with $workers event loop(s); access logs $( ((access_log)) && echo "on, to files, for both" || echo "off for both" ). Backend: \`bin/demo-backend\` (JDK 17, one event loop), \`GET $path\`."
  echo
  echo "$header"
  echo "$sep"
  row "backend direct, HTTP/1.1" v_cell backend-http
  row "nginx → backend, HTTP/1.1" v_cell nginx-http
  row "nginx → backend, TLS HTTP/1.1" v_cell nginx-tls
  row "**gateway** → backend, TLS HTTP/1.1, bearer token" v_cell gateway-tls
  row "nginx → backend, TLS HTTP/2" v_rps nginx-h2
  row "**gateway** → backend, TLS HTTP/2, bearer token" v_rps gateway-h2
  row "nginx \`deny\` → 403, TLS" v_cell nginx-deny
  row "**gateway** blocked client → 429, TLS" v_cell gateway-blocked
  row "**gateway** logins (POST /auth/token, 4 connections, ${login_duration} s)" v_login
  row "openssl kdf PBKDF2 600k, all cores, ${login_duration} s" v_pbkdf2
  row "ratio nginx / backend, HTTP/1.1" v_ratio nginx-http backend-http
  row "**ratio gateway / nginx, TLS HTTP/1.1**" v_ratio gateway-tls nginx-tls
  if ((rounds > 1)); then
    row "**ratio gateway / nginx, TLS HTTP/1.1, median of $rounds rounds** (each round)" v_rounds
    row "p99 gateway / nginx, TLS HTTP/1.1, each round" v_rounds_p99
  fi
  for f in $rates; do
    row "fixed rate $f × nginx's throughput (req/s): achieved gateway / nginx, each round" v_rate "$f" achieved
    row "fixed rate $f × nginx: p50 gateway / nginx, ms, each round" v_rate "$f" p50
    row "**fixed rate $f × nginx: p99 gateway / nginx, ms, each round**" v_rate "$f" p99
    row "fixed rate $f × nginx: p99.9 gateway / nginx, ms, each round" v_rate "$f" p999
  done
  row "**ratio gateway / nginx, TLS HTTP/2**" v_ratio gateway-h2 nginx-h2
  row "ratio gateway TLS / backend direct" v_ratio gateway-tls backend-http
  row "**ratio gateway 429 / nginx 403**" v_ratio gateway-blocked nginx-deny
  row "**ratio logins / openssl PBKDF2**" v_login_ratio
)
echo
echo "$report"
if ((record)); then
  grep -q '^## Gateway, nginx and the backend side by side' docs/benchmarks.md || cat >>docs/benchmarks.md <<'EOF'

## Gateway, nginx and the backend side by side (`bench/compare.sh`)

What: the same requests against the demo backend alone, nginx `proxy_pass` in front of it and the
gateway in front of it, on one machine in one run per JDK; see the header of `bench/compare.sh`.
The gateway verifies a bearer token (ES256) on every GET and adds identity and forwarding headers;
nginx forwards the request unread. The blocked client is 127.0.9.9, blocked by the gateway after
failed logins and refused by an nginx `deny` rule; wrk's sockets are bound to it through
`bench/bindaddr.c`. Logins are compared with what `openssl kdf` derives per second on all cores
at the same iteration count, i.e. the ceiling that PBKDF2 alone sets. Client and servers share
the machine's cores, so the ratios, not the absolute numbers, are the result.
EOF
  printf '\n%s\n' "$report" >>docs/benchmarks.md
  echo "appended to docs/benchmarks.md" >&2
fi
