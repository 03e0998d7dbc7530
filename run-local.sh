#!/usr/bin/env bash
# Encode an MP4 to MPEG-DASH on this machine: ./run-local.sh [video.mp4] [--out DIR] [options]
# No argument: a generated 12 s 1080p sample. --metadata KEY=VALUE (repeatable) puts job settings
# on the upload as S3 user metadata, as `aws s3 cp --metadata` would (README: Settings per upload). Needs a JDK 21+, Maven, make, unzip and npm
# (for the ffmpeg layer build on first use). No AWS account, no Docker.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/java-home.sh
if [ ! -f local/target/fanout-local.jar ] || [ -n "$(find functions/src local/src -newer local/target/fanout-local.jar -print -quit)" ]; then
  echo "Building (first run or sources changed)..."
  mvn -q -B -DskipTests package
fi
exec "$JAVA_HOME/bin/java" -jar local/target/fanout-local.jar "$@"
