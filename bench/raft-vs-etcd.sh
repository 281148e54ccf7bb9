#!/usr/bin/env bash
# ringkv's Raft (a 3-member key-value store over the internode transport) against etcd 3.4
# (3 members), side by side in one run, on loopback, each member a process with its own data
# directory and an fsync on every append. One load generator for both (io.ringkv.bench.raft.PutLoad):
# N concurrent clients, each doing sequential linearizable puts (small keys, 256-byte values) for a
# bounded count and time, after a warm-up; ringkv through forwarded proposals to its leader, etcd
# through jetcd connected to its leader. The two systems alternate, several rounds; prints puts/s,
# p50 and p99 per system and concurrency (medians over rounds), then one line per figure:
# "ratio put_c<N> <ringkv/etcd puts/s>" and "ratio put_c<N>_p99 <etcd/ringkv p99>" (higher is
# better for ringkv).
#
#   bench/raft-vs-etcd.sh                        # 3 rounds, 16 and 64 clients
#   bench/raft-vs-etcd.sh --rounds 1 --seconds 5 --clients "16"
#
# Installs etcd-server (Debian, etcd 3.4) when missing, with apt-get.
# Environment: RINGKV_BENCH_TMPDIR (data directories), RINGKV_NO_BUILD (skip the build),
# RINGKV_BENCH_PORT_BASE (default 17100: ringkv members on base+1..3, etcd clients on
# base+11..13 and peers on base+21..23), RINGKV_BENCH_JAVA_OPTS (default -Xmx512m).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
ROUNDS=3
CLIENTS="16 64"
OPS=300000
SECONDS_MAX=15
WARMUP_SECONDS=3
VALUE_BYTES=256
PORT_BASE=${RINGKV_BENCH_PORT_BASE:-17100}

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  echo
  echo "Flags: --rounds N  --clients \"16 64\"  --ops N  --seconds S  --warmup-seconds S  --value-bytes N"
}

while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --ops) OPS=$2; shift 2 ;;
    --seconds) SECONDS_MAX=$2; shift 2 ;;
    --warmup-seconds) WARMUP_SECONDS=$2; shift 2 ;;
    --value-bytes) VALUE_BYTES=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "raft-vs-etcd: unknown flag '$1' (see --help)" >&2; exit 2 ;;
  esac
done

die() {
  echo "raft-vs-etcd: $*" >&2
  exit 1
}

if ! command -v etcd >/dev/null 2>&1; then
  echo "raft-vs-etcd: installing etcd-server (apt-get)" >&2
  SUDO=
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "etcd is missing and installing it needs root: apt-get install etcd-server"
    SUDO=sudo
  fi
  ($SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq etcd-server) >&2 \
    || die "apt-get install etcd-server failed"
fi
ETCD_VERSION=$(etcd --version 2>/dev/null | awk '/etcd Version/ { print $3 }')
case $ETCD_VERSION in
  3.4.*) ;;
  *) echo "raft-vs-etcd: warning: etcd is ${ETCD_VERSION:-of an unknown version}; issue 8 measures against 3.4" >&2 ;;
esac
command -v curl >/dev/null 2>&1 || die "curl is needed to find etcd's leader"

JDK=$("$ROOT/build-support/find-jdk.sh" 2>&1) || die "$JDK"
if [ -z "${RINGKV_NO_BUILD:-}" ]; then
  (cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests -pl bench -am package 1>&2) \
    || die "the build failed; see the Maven output above."
fi
CLASSPATH_BENCH="$ROOT/bench/target/ringkv-bench.jar:$ROOT/bench/target/lib/*"
JAVA_OPTS=${RINGKV_BENCH_JAVA_OPTS:--Xmx512m}

WORK=$(mktemp -d "${RINGKV_BENCH_TMPDIR:-${TMPDIR:-/tmp}}/ringkv-raft-bench.XXXXXX")
PIDS=()
cleanup() {
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${PIDS[@]+"${PIDS[@]}"}; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- ringkv: three member processes
RINGKV_PEERS=""
for member in 1 2 3; do
  RINGKV_PEERS="${RINGKV_PEERS:+$RINGKV_PEERS,}$member=127.0.0.1:$((PORT_BASE + member))"
done
for member in 1 2 3; do
  # shellcheck disable=SC2086
  "$JDK/bin/java" $JAVA_OPTS -cp "$CLASSPATH_BENCH" io.ringkv.bench.raft.RaftKvNode \
    --member "$member" --data "$WORK/ringkv-$member" --peers "$RINGKV_PEERS" \
    >"$WORK/ringkv-$member.log" 2>&1 &
  PIDS+=($!)
done

# ---- etcd: three members
ETCD_CLUSTER=""
for member in 1 2 3; do
  ETCD_CLUSTER="${ETCD_CLUSTER:+$ETCD_CLUSTER,}etcd-$member=http://127.0.0.1:$((PORT_BASE + 20 + member))"
done
ETCD_ENDPOINTS=()
for member in 1 2 3; do
  client_url="http://127.0.0.1:$((PORT_BASE + 10 + member))"
  peer_url="http://127.0.0.1:$((PORT_BASE + 20 + member))"
  ETCD_ENDPOINTS+=("$client_url")
  etcd --name "etcd-$member" --data-dir "$WORK/etcd-$member" \
    --listen-client-urls "$client_url" --advertise-client-urls "$client_url" \
    --listen-peer-urls "$peer_url" --initial-advertise-peer-urls "$peer_url" \
    --initial-cluster "$ETCD_CLUSTER" --initial-cluster-state new \
    --initial-cluster-token raft-vs-etcd >"$WORK/etcd-$member.log" 2>&1 &
  PIDS+=($!)
done

# etcd's leader, by asking each member's status through its JSON gateway.
etcd_leader() {
  for url in "${ETCD_ENDPOINTS[@]}"; do
    status=$(curl -s --max-time 2 -X POST "$url/v3/maintenance/status" -d '{}' 2>/dev/null) || continue
    member_id=$(printf '%s' "$status" | grep -o '"member_id":"[0-9]*"' | grep -o '[0-9]*')
    leader_id=$(printf '%s' "$status" | grep -o '"leader":"[0-9]*"' | grep -o '[0-9]*')
    if [ -n "$member_id" ] && [ "$member_id" = "$leader_id" ]; then
      echo "$url"
      return 0
    fi
  done
  return 1
}
ETCD_LEADER=
for _ in $(seq 1 300); do
  if ETCD_LEADER=$(etcd_leader); then break; fi
  sleep 0.1
done
[ -n "$ETCD_LEADER" ] || { tail -n 20 "$WORK"/etcd-*.log >&2; die "etcd elected no leader within 30 s"; }

# One load run; prints "system clients ops/s p50 p99 errors".
run() { # $1 system, $2 clients
  if [ "$1" = ringkv ]; then endpoints=$RINGKV_PEERS; else endpoints=$(etcd_leader || echo "$ETCD_LEADER"); fi
  # shellcheck disable=SC2086
  "$JDK/bin/java" $JAVA_OPTS -cp "$CLASSPATH_BENCH" io.ringkv.bench.raft.PutLoad \
    --system "$1" --endpoints "$endpoints" --clients "$2" --ops "$OPS" --seconds "$SECONDS_MAX" \
    --warmup-seconds "$WARMUP_SECONDS" --value-bytes "$VALUE_BYTES" 2>"$WORK/load.err" \
    | awk '/^result / {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        print f["system"], f["clients"], f["ops_per_second"], f["p50_ms"], f["p99_ms"], f["errors"]
      }'
}

RESULTS="$WORK/results.txt"
: >"$RESULTS"
echo "raft-vs-etcd: etcd $ETCD_VERSION (leader $ETCD_LEADER), ringkv members $RINGKV_PEERS; $ROUNDS rounds" >&2
for round in $(seq 1 "$ROUNDS"); do
  for clients in $CLIENTS; do
    # Alternate which system goes first, so that warm-up and drift favour neither.
    if [ $((round % 2)) -eq 1 ]; then order="ringkv etcd"; else order="etcd ringkv"; fi
    for system in $order; do
      line=$(run "$system" "$clients")
      if [ -z "$line" ]; then
        cat "$WORK/load.err" >&2
        die "the $system load run with $clients clients printed no result"
      fi
      echo "$round $line" | tee -a "$RESULTS" >&2
    done
  done
done

echo
printf '%-10s %-7s %10s %10s %10s\n' test system "puts/s" "p50 ms" "p99 ms"
echo "-----------------------------------------------------"
awk -v clients="$CLIENTS" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { key = $3 " " $2; rps[key] = rps[key] " " $4; p50[key] = p50[key] " " $5; p99[key] = p99[key] " " $6; errors[key] += $7 }
  END {
    n = split(clients, c, " ")
    for (k = 1; k <= n; k++) {
      for (s = 1; s <= 2; s++) {
        name = (s == 1) ? "ringkv" : "etcd"; key = c[k] " " name
        R[key] = median(rps[key]); P50[key] = median(p50[key]); P99[key] = median(p99[key])
        printf "%-10s %-7s %10.0f %10.3f %10.3f%s\n", "put_c" c[k], name, R[key], P50[key], P99[key], errors[key] ? "  (" errors[key] " errors)" : ""
      }
    }
    print ""
    for (k = 1; k <= n; k++) printf "ratio put_c%s %.2f\n", c[k], R[c[k] " ringkv"] / R[c[k] " etcd"]
    for (k = 1; k <= n; k++) if (P99[c[k] " ringkv"] > 0) printf "ratio put_c%s_p99 %.2f\n", c[k], P99[c[k] " etcd"] / P99[c[k] " ringkv"]
  }' "$RESULTS"
