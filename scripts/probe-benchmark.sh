#!/usr/bin/env bash
# Bytes the probe reads of ~1 GB sources (moov at the end, +faststart, fragmented with 2 s and
# 250-frame GOPs), per step and as % of the file. Needs ~2.5 GB of temporary disk, deleted after.
#   scripts/probe-benchmark.sh [megabytes=1024]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home.sh
mvn -q -B -DskipTests package
exec "$JAVA_HOME/bin/java" -cp local/target/fanout-local.jar dev.fanout.local.bench.ProbeBytesBenchmark "$@"
