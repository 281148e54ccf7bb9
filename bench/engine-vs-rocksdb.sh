#!/usr/bin/env bash
# Our storage engine against RocksDB (rocksdbjni), side by side in one run: builds the bench
# module, runs io.ringkv.bench.EngineBench with the given arguments, and ends with one line per
# workload, "ratio <workload> <ringkv ops/s / rocksdb ops/s>" (higher is better for ringkv).
#
#   bench/engine-vs-rocksdb.sh                       # 1,000,000 keys, every workload, both engines
#   bench/engine-vs-rocksdb.sh --num 200000 --rounds 3
#   bench/engine-vs-rocksdb.sh --help                # every flag
#
# The peer needs no installation: RocksDB comes with the rocksdbjni dependency that Maven fetches.
# The databases go under a temporary directory that is deleted at the end, unless --data-dir is
# given.
#
# Environment:
#   JAVA_HOME                used when it is a JDK 21 or newer; otherwise passed over
#   RINGKV_JVM_DIR           where to look for JDKs when JAVA_HOME will not do (default /usr/lib/jvm)
#   RINGKV_BENCH_TMPDIR      where the temporary data directory goes (default $TMPDIR or /tmp);
#                            put it on the disk you mean to measure, not on a tmpfs
#   RINGKV_BENCH_JAVA_OPTS   JVM options (default -Xmx4g)
#   RINGKV_NO_BUILD          if set, run what is already built instead of building first
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
BENCH_JAR="$ROOT/bench/target/ringkv-bench.jar"
BENCH_LIB="$ROOT/bench/target/lib"
MAIN_CLASS=io.ringkv.bench.EngineBench

die() {
  echo "engine-vs-rocksdb: $*" >&2
  exit 1
}

JDK=$("$ROOT/build-support/find-jdk.sh" 2>&1) || die "$JDK"

if [ -z "${RINGKV_NO_BUILD:-}" ]; then
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to build the benchmark; install it, e.g. 'apt-get install maven'."
  echo "engine-vs-rocksdb: building: mvn -q -B -DskipTests -pl bench -am package" >&2
  (cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests -pl bench -am package 1>&2) || die "the build failed; see the Maven output above."
fi
[ -f "$BENCH_JAR" ] && [ -d "$BENCH_LIB" ] || die "$BENCH_JAR or $BENCH_LIB is missing; build without RINGKV_NO_BUILD."

# Our own temporary data directory, unless the caller named one.
data_args=()
has_data_dir=
for arg in "$@"; do
  case $arg in --data-dir | --data-dir=*) has_data_dir=1 ;; esac
done
DATA=
cleanup() {
  if [ -n "$DATA" ]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -z "$has_data_dir" ]; then
  DATA=$(mktemp -d "${RINGKV_BENCH_TMPDIR:-${TMPDIR:-/tmp}}/ringkv-engine-bench.XXXXXX")
  data_args=(--data-dir "$DATA")
fi

# shellcheck disable=SC2086 # RINGKV_BENCH_JAVA_OPTS is a list of options, split on purpose.
"$JDK/bin/java" ${RINGKV_BENCH_JAVA_OPTS:--Xmx4g} --enable-native-access=ALL-UNNAMED \
  -cp "$BENCH_JAR:$BENCH_LIB/*" "$MAIN_CLASS" ${data_args[@]+"${data_args[@]}"} "$@"
