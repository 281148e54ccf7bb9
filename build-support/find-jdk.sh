#!/bin/sh
# Prints the home of a JDK 21 or newer: JAVA_HOME if it is one, else the newest under
# RINGKV_JVM_DIR (default /usr/lib/jvm). Exits 1 with a message on stderr if there is none.
# Shared by ./ringkv and the bench/*.sh scripts, so that they always agree on the JDK.
set -eu
REQUIRED_MAJOR=21

# Prints the feature version (17, 21, 25, ...) of the JDK at $1, or nothing if it is not a JDK.
jdk_major() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  version=
  if [ -f "$1/release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release")
  fi
  if [ -z "$version" ]; then
    version=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  case $version in 1.*) version=${version#1.} ;; esac
  major=${version%%[!0-9]*}
  [ -n "$major" ] && echo "$major"
  return 0
}

if [ -n "${JAVA_HOME:-}" ]; then
  major=$(jdk_major "$JAVA_HOME")
  if [ -n "$major" ] && [ "$major" -ge "$REQUIRED_MAJOR" ]; then
    echo "$JAVA_HOME"
    exit 0
  fi
fi
best=
best_major=0
for dir in "${RINGKV_JVM_DIR:-/usr/lib/jvm}"/*; do
  [ -d "$dir" ] || continue
  major=$(jdk_major "$dir")
  [ -n "$major" ] || continue
  if [ "$major" -ge "$REQUIRED_MAJOR" ] && [ "$major" -gt "$best_major" ]; then
    best=$dir
    best_major=$major
  fi
done
if [ -z "$best" ]; then
  echo "no JDK $REQUIRED_MAJOR or newer found (JAVA_HOME='${JAVA_HOME:-}', searched ${RINGKV_JVM_DIR:-/usr/lib/jvm}). Install one, e.g. 'apt-get install openjdk-21-jdk-headless', or set JAVA_HOME to it." >&2
  exit 1
fi
echo "$best"
