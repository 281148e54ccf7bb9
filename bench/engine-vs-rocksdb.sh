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
REQUIRED_MAJOR=21

die() {
  echo "engine-vs-rocksdb: $*" >&2
  exit 1
}

# The JDK search of the ./ringkv launcher (kept in step with it): JAVA_HOME if it is a JDK 21+,
# else the newest JDK 21+ under RINGKV_JVM_DIR.

# Prints the feature version (17, 21, 25, ...) of the JDK at $1, or nothing if it is not a JDK.
jdk_major() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  local version=
  if [ -f "$1/release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release")
  fi
  if [ -z "$version" ]; then
    version=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  case $version in 1.*) version=${version#1.} ;; esac
  local major=${version%%[!0-9]*}
  if [ -n "$major" ]; then echo "$major"; fi
  return 0
}

find_jdk() {
  local major
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(jdk_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge "$REQUIRED_MAJOR" ]; then
      echo "$JAVA_HOME"
      return 0
    fi
  fi
  local best= best_major=0 dir
  for dir in "${RINGKV_JVM_DIR:-/usr/lib/jvm}"/*; do
    [ -d "$dir" ] || continue
    major=$(jdk_major "$dir")
    [ -n "$major" ] || continue
    if [ "$major" -ge "$REQUIRED_MAJOR" ] && [ "$major" -gt "$best_major" ]; then
      best=$dir
      best_major=$major
    fi
  done
  if [ -n "$best" ]; then echo "$best"; fi
  return 0
}

JDK=$(find_jdk)
[ -n "$JDK" ] || die "no JDK $REQUIRED_MAJOR or newer found (JAVA_HOME='${JAVA_HOME:-}', searched ${RINGKV_JVM_DIR:-/usr/lib/jvm}). Install one, e.g. 'apt-get install openjdk-21-jdk-headless', or set JAVA_HOME to it."

if [ -z "${RINGKV_NO_BUILD:-}" ]; then
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to build the benchmark; install it, e.g. 'apt-get install maven'."
  echo "engine-vs-rocksdb: building: mvn -q -B -DskipTests -pl bench -am package" >&2
  (cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests -pl bench -am package) || die "the build failed; see the Maven output above."
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
