#!/usr/bin/env bash
# Validates statemachine/*.asl.json with npm asl-validator (pinned), after filling the
# ${...} placeholders the way DefinitionSubstitutions would: *Arn -> a Lambda ARN,
# MaxConcurrency -> a number, anything else -> an example name. (That every placeholder has a
# substitution in template.yaml and every substitution is used is checked by TemplateContractTest.)
set -euo pipefail
cd "$(dirname "$0")/.."
ASL_VALIDATOR_VERSION=4.0.0
tool=.tools/node_modules/.bin/asl-validator
if [ ! -x "$tool" ] || ! "$tool" --version | grep -qx "$ASL_VALIDATOR_VERSION"; then
  command -v npm >/dev/null || { echo "error: npm is required to install asl-validator" >&2; exit 1; }
  npm install --silent --no-save --no-audit --no-fund --prefix .tools "asl-validator@$ASL_VALIDATOR_VERSION" >/dev/null
fi
mkdir -p .tools/asl
status=0
for asl in statemachine/*.asl.json; do
  out=".tools/asl/$(basename "$asl")"
  sed -e 's/\${\([A-Za-z0-9]*Arn\)}/arn:aws:lambda:us-east-1:123456789012:function:\1/g' \
      -e 's/\${MaxConcurrency}/100/g' \
      -e 's/\${\([A-Za-z0-9]*\)}/example-\1/g' "$asl" > "$out"
  "$tool" --json-path "$out" || status=1
done
exit $status
