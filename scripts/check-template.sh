#!/usr/bin/env bash
# Lints the SAM template with cfn-lint (which runs the SAM transform itself, so it also catches
# circular dependencies, E3004). Errors and warnings fail; informational findings are not shown.
#   scripts/check-template.sh                 # lints template.yaml at the repo root
#   scripts/check-template.sh other.yaml ...  # any arguments go to cfn-lint instead
set -euo pipefail
cd "$(dirname "$0")/.."

# Sets lint=(the words of a command that runs a working cfn-lint), or leaves it empty.
lint=()
find_cfn_lint() {
  local candidate
  # a pyenv shim on PATH can exist without a cfn-lint behind it: each candidate must answer --version
  if command -v cfn-lint >/dev/null 2>&1 && cfn-lint --version >/dev/null 2>&1; then
    lint=(cfn-lint); return
  fi
  for candidate in /root/.pyenv/versions/*/bin/cfn-lint; do
    if [ -x "$candidate" ] && "$candidate" --version >/dev/null 2>&1; then
      lint=("$candidate"); return
    fi
  done
  if command -v python3 >/dev/null 2>&1; then
    if python3 -m cfnlint --version >/dev/null 2>&1; then
      lint=(python3 -m cfnlint); return
    fi
    # cfn-lint 1.x has no __main__: call its console entry point
    if python3 -c 'import cfnlint.runner' >/dev/null 2>&1; then
      lint=(python3 -c 'import sys; from cfnlint.runner import main; sys.argv[0] = "cfn-lint"; sys.exit(main())'); return
    fi
  fi
}

find_cfn_lint
if [ ${#lint[@]} -eq 0 ]; then
  echo "cfn-lint is required: pip install cfn-lint" >&2
  exit 1
fi

if [ $# -eq 0 ]; then set -- template.yaml; fi
echo "$("${lint[@]}" --version 2>&1 | head -1): $*"
if "${lint[@]}" -- "$@"; then
  echo "cfn-lint: no errors or warnings"
else
  rc=$?
  echo "cfn-lint found problems (exit $rc) in: $*" >&2
  exit "$rc"
fi
