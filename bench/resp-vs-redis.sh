#!/usr/bin/env bash
# ringkv's Redis front end against redis-server, side by side in one run, with the same
# redis-benchmark invocation alternated between the two servers:
#
#   redis-benchmark -t set -n 500000 -c 50 -d 100 -r 1000000 [-P 16]
#   redis-benchmark -t get -n 500000 -c 50 -d 100 -r 1000000 [-P 16]
#
# redis-server runs with appendonly yes / appendfsync everysec; ringkv with the periodic fsync
# policy every 1 s (the same durability). Prints requests/s, p50, p99 and the server's CPU time per
# request (user + system, from /proc) per server and test, then one line per figure: "ratio
# <figure> <ringkv/redis>" for throughput and "<redis/ringkv>" for latency and CPU per request
# (higher is better for ringkv). CPU per request is the steadier figure on a busy machine.
#
#   bench/resp-vs-redis.sh                 # 3 rounds, 500,000 requests per test
#   bench/resp-vs-redis.sh --rounds 1 --requests 100000
#
# Installs redis-server (Debian package, with redis-benchmark) when missing, with apt-get.
# Environment: RINGKV_BENCH_TMPDIR (data directories), RINGKV_NO_BUILD (skip the build),
# RINGKV_BENCH_RINGKV_PORT and RINGKV_BENCH_REDIS_PORT (default 16379 and 16380),
# RINGKV_BENCH_JAVA_OPTS (default -Xmx2g), RINGKV_BENCH_RINGKV_SETS (extra server options as
# space-separated key=value pairs, e.g. "resp.io_threads=2", passed as --set).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
ROUNDS=3
REQUESTS=500000
CLIENTS=50
VALUE_BYTES=100
KEYSPACE=1000000
RINGKV_PORT=${RINGKV_BENCH_RINGKV_PORT:-16379}
REDIS_PORT=${RINGKV_BENCH_REDIS_PORT:-16380}

usage() {
  sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
  echo
  echo "Flags: --rounds N  --requests N  --clients N  --value-bytes N  --keyspace N"
}

while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --value-bytes) VALUE_BYTES=$2; shift 2 ;;
    --keyspace) KEYSPACE=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "resp-vs-redis: unknown flag '$1' (see --help)" >&2; exit 2 ;;
  esac
done

die() {
  echo "resp-vs-redis: $*" >&2
  exit 1
}

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-benchmark >/dev/null 2>&1; then
  echo "resp-vs-redis: installing redis-server and redis-benchmark (apt-get)" >&2
  if [ "$(id -u)" -ne 0 ]; then
    die "redis-server is missing and installing it needs root: apt-get install redis-server"
  fi
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >&2 \
    || die "apt-get install redis-server failed"
fi

JDK=$("$ROOT/build-support/find-jdk.sh" 2>&1) || die "$JDK"
if [ -z "${RINGKV_NO_BUILD:-}" ]; then
  (cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests -pl server -am package 1>&2) \
    || die "the build failed; see the Maven output above."
fi

WORK=$(mktemp -d "${RINGKV_BENCH_TMPDIR:-${TMPDIR:-/tmp}}/ringkv-resp-bench.XXXXXX")
RINGKV_PID=
REDIS_PID=
cleanup() {
  if [ -n "$RINGKV_PID" ]; then kill "$RINGKV_PID" 2>/dev/null || true; wait "$RINGKV_PID" 2>/dev/null || true; fi
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for_port() { # $1 port, $2 name
  for _ in $(seq 1 300); do
    if redis-cli -p "$1" PING >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "resp-vs-redis: $2 did not answer PING on port $1 within 30 s; its log:" >&2
  tail -n 30 "$WORK/$2.log" >&2 || true
  exit 1
}

# A fresh ringkv node answers PING at once but takes writes only once it has founded its cluster
# (raft mode, the default: its one-member metadata group has applied its join; gossip mode: after
# cluster.ring_delay_millis): wait until a write is acknowledged.
wait_for_writes() { # $1 port, $2 name
  for _ in $(seq 1 300); do
    if [ "$(redis-cli -p "$1" SET resp-vs-redis-ready 1 2>/dev/null)" = "OK" ]; then
      redis-cli -p "$1" DEL resp-vs-redis-ready >/dev/null 2>&1
      return 0
    fi
    sleep 0.1
  done
  echo "resp-vs-redis: $2 did not acknowledge a SET on port $1 within 30 s; its log:" >&2
  tail -n 30 "$WORK/$2.log" >&2 || true
  exit 1
}

mkdir -p "$WORK/redis" "$WORK/ringkv"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK/redis" --appendonly yes \
  --appendfsync everysec --save "" --daemonize no >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
JAVA_OPTS=${RINGKV_BENCH_JAVA_OPTS:--Xmx2g}
EXTRA_SETS=()
for option in ${RINGKV_BENCH_RINGKV_SETS:-}; do EXTRA_SETS+=(--set "$option"); done
# The server reads RINGKV_<SECTION>_<OPTION> variables as configuration: hide this script's own.
for variable in $(compgen -e | grep -E '^RINGKV_(BENCH_|NO_BUILD$)' || true); do unset "$variable"; done
# shellcheck disable=SC2086
"$JDK/bin/java" $JAVA_OPTS -cp "$ROOT/server/target/ringkv-server.jar:$ROOT/server/target/lib/*" \
  io.ringkv.server.cli.RingkvCli server --config "$ROOT/conf/ringkv.yaml" \
  --set node.data_directory="$WORK/ringkv" \
  --set storage.fsync=periodic --set storage.periodic_sync_millis=1000 \
  --set resp.port="$RINGKV_PORT" --set http.enabled=false --set grpc.enabled=false \
  --set internode.port=0 --set cluster.seeds= \
  ${EXTRA_SETS[@]+"${EXTRA_SETS[@]}"} >"$WORK/ringkv.log" 2>&1 &
RINGKV_PID=$!
wait_for_port "$REDIS_PORT" redis
wait_for_port "$RINGKV_PORT" ringkv
wait_for_writes "$RINGKV_PORT" ringkv

# The CPU time a process has used (user + system), in microseconds.
cpu_micros() { # $1 pid
  awk -v tck="$(getconf CLK_TCK)" '{ printf "%d\n", ($14 + $15) * 1000000 / tck }' "/proc/$1/stat"
}

# One redis-benchmark run of one test; prints "test rps p50 p99".
run() { # $1 port, $2 test, $3 extra flags
  # shellcheck disable=SC2086
  redis-benchmark -h 127.0.0.1 -p "$1" -t "$2" -n "$REQUESTS" -c "$CLIENTS" -d "$VALUE_BYTES" \
    -r "$KEYSPACE" $3 --csv 2>/dev/null \
    | tr -d '"' | awk -F',' 'NR > 1 { print tolower($1), $2, $5, $7 }'
}

RESULTS="$WORK/results.txt"
: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  for mode in plain p16; do
    flags=""
    [ "$mode" = p16 ] && flags="-P 16"
    # Alternate which server goes first, so that warm-up and drift do not favour one.
    if [ $((round % 2)) -eq 1 ]; then order="ringkv redis"; else order="redis ringkv"; fi
    for server in $order; do
      port=$RINGKV_PORT
      pid=$RINGKV_PID
      if [ "$server" = redis ]; then port=$REDIS_PORT; pid=$REDIS_PID; fi
      # SET then GET, one redis-benchmark each, so that the server's CPU time per request (less
      # sensitive than requests/s to what else the machine runs) is known per test.
      for test_name in set get; do
        before=$(cpu_micros "$pid")
        run "$port" "$test_name" "$flags" | while read -r test rps p50 p99; do
          cpu=$(($(cpu_micros "$pid") - before))
          name=$test
          [ "$mode" = p16 ] && name="${test}_p16"
          cpu_per_request=$(awk -v c="$cpu" -v n="$REQUESTS" 'BEGIN { printf "%.3f", c / n }')
          echo "$name $server $round $rps $p50 $p99 $cpu_per_request" | tee -a "$RESULTS" >&2
        done
      done
    done
  done
done

echo
printf '%-8s %-7s %12s %10s %10s %12s\n' test server "requests/s" "p50 ms" "p99 ms" "cpu us/req"
echo "----------------------------------------------------------------"
# Medians over the rounds, then the ratios.
awk '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { key = $1 " " $2; rps[key] = rps[key] " " $4; p50[key] = p50[key] " " $5; p99[key] = p99[key] " " $6; cpu[key] = cpu[key] " " $7; tests[$1] = 1 }
  END {
    split("set get set_p16 get_p16", order, " ")
    for (k = 1; k <= 4; k++) {
      t = order[k]; if (!(t in tests)) continue
      for (s = 1; s <= 2; s++) {
        server = (s == 1) ? "ringkv" : "redis"; key = t " " server
        R[key] = median(rps[key]); P50[key] = median(p50[key]); P99[key] = median(p99[key]); CPU[key] = median(cpu[key])
        printf "%-8s %-7s %12.0f %10.3f %10.3f %12.3f\n", t, server, R[key], P50[key], P99[key], CPU[key]
      }
    }
    print ""
    for (k = 1; k <= 4; k++) {
      t = order[k]; if (!(t in tests)) continue
      printf "ratio %s %.2f\n", t, R[t " ringkv"] / R[t " redis"]
    }
    for (k = 1; k <= 4; k++) {
      t = order[k]; if (!(t in tests)) continue
      if (P99[t " ringkv"] > 0) printf "ratio %s_p99 %.2f\n", t, P99[t " redis"] / P99[t " ringkv"]
    }
    for (k = 1; k <= 4; k++) {
      t = order[k]; if (!(t in tests)) continue
      if (CPU[t " ringkv"] > 0) printf "ratio %s_cpu %.2f\n", t, CPU[t " redis"] / CPU[t " ringkv"]
    }
  }' "$RESULTS"
