#!/usr/bin/env bash
# Chunked pipeline vs monolithic ffmpeg DASH encode (CPU, wall, peak RSS, bytes, PSNR) and the
# chunk-length curve. Takes 15–30 minutes on 2 cores. Results: bench-out/results.txt
#   scripts/benchmark.sh [--seconds 30] [--chunks 4,6,10,20] [--default 10] [--jobs N] [--out bench-out]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home.sh
mvn -q -B -DskipTests package
exec "$JAVA_HOME/bin/java" -cp local/target/fanout-local.jar dev.fanout.local.bench.ChunkingBenchmark "$@"
