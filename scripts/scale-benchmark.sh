#!/usr/bin/env bash
# Does a job take about as long as one chunk, whatever the film's length? 1080p30 sources of 1, 5
# and 20 minutes through the local state machine (cheap ladder), every stage's invocations and
# slowest invocation, the critical path, the scale targets, chunked vs monolithic at the default
# ladder, and a projection of a 2-hour film on AWS. ~25 min on 2 cores for 1,5,20 (see docs/benchmark.md).
# Results: bench-out/scale/results.md
#   scripts/scale-benchmark.sh [--minutes 1,5,20] [--ladder 360@1000] [--jobs N] [--compare-minutes 1] [--out bench-out/scale] [--help]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home.sh
# the build niced (the machine is shared), the benchmark itself not (its wall figures want the CPU first);
# no rebuild when the jar is newer than every source (a rebuild under load takes minutes)
if [ ! -f local/target/fanout-local.jar ] || [ -n "$(find functions/src local/src -newer local/target/fanout-local.jar -print -quit)" ]; then
  nice -n 10 mvn -q -B -DskipTests package
fi
exec "$JAVA_HOME/bin/java" -cp local/target/fanout-local.jar dev.fanout.local.bench.ScaleBenchmark "$@"
