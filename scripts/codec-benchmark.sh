#!/usr/bin/env bash
# Each codec's ladder (H.264, HEVC, AV1) on the same generated 1080p source: CPU seconds chunked
# and monolithic, video bytes, PSNR, projected Lambda cost per source minute (docs/codecs.md).
# AV1 is slow: about 25 CPU minutes for the default 20 s on 2 cores. Results: bench-codecs/results.txt
#   scripts/codec-benchmark.sh [--seconds 20] [--codecs h264,hevc,av1] [--chunk 10] [--jobs N] [--out bench-codecs]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home.sh
nice -n 10 mvn -q -B -DskipTests -am package
exec nice -n 10 "$JAVA_HOME/bin/java" -cp local/target/fanout-local.jar dev.fanout.local.bench.CodecBenchmark "$@"
