#!/usr/bin/env bash
# Mutation harness for the end-to-end claims PIT cannot reach (PIT mutates bytecode of the pure
# core and runs unit tests; a removed ffmpeg option or a template statement only shows in a real run).
#
# Reads docs/mutations.tsv (its header comment defines the row format), and for each row:
# applies that one edit in a scratch copy of HEAD (git archive into a temporary folder: your
# working files and the repository's git data are never touched), runs only the named test
# classes there (`mvn -pl <their modules> -am verify -Dtest=...`), reads their Surefire reports,
# and restores the file. A row is "caught" only if every named class has a failing or erroring
# test. Before the rows, each distinct set of test classes is run once on the unmutated copy
# (baseline): a class that fails anyway proves nothing and its rows are BASELINE-FAILS.
#
# Prints a table (id, tests, outcome, seconds) and exits 1 if any row is not "caught". A full
# run (no --only) also writes the table into docs/mutation-harness.md of this tree.
#
# Usage: scripts/mutation-harness.sh [--only id1,id2] [--no-baseline] [--keep] [--list FILE]
#   --only        run these rows only (the table is printed, docs/mutation-harness.md is left alone)
#   --no-baseline skip the unmutated runs (faster; trust that the classes pass on HEAD)
#   --keep        leave the scratch copy (its path is printed) for reading logs
# Not part of `mvn verify` or .ci/run: each row is a build plus its test classes (README, Test).
# Commit what you want audited: the scratch copy is HEAD, not your uncommitted edits.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

list=docs/mutations.tsv
only=""
baseline=1
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only=",$2,"; shift 2;;
    --no-baseline) baseline=0; shift;;
    --keep) keep=1; shift;;
    --list) list="$2"; shift 2;;
    -h|--help) sed -n '2,22p' "$0"; exit 0;;
    *) echo "unknown option: $1" >&2; exit 2;;
  esac
done
[ -f "$list" ] || { echo "error: no mutation list at $list" >&2; exit 2; }

source scripts/java-home.sh >/dev/null

scratch=$(mktemp -d "${TMPDIR:-/tmp}/mutation-harness.XXXXXX")
cleanup() { if [ "$keep" = 1 ]; then echo "scratch copy kept: $scratch"; else rm -rf "$scratch"; fi; }
trap cleanup EXIT
commit=$(git rev-parse --short HEAD)
git archive HEAD | tar -x -C "$scratch"
# The ffmpeg layer's downloads and the browser-test npm packages are build inputs, not sources:
# reuse this tree's copies when present, so the first build in the scratch copy does not fetch again.
[ -d layers/ffmpeg/cache ] && cp -a layers/ffmpeg/cache "$scratch/layers/ffmpeg/" 2>/dev/null || true
[ -d .tools ] && cp -a .tools "$scratch/" 2>/dev/null || true
echo "scratch copy of $commit: $scratch"

# The module (functions, local, integration) whose test sources hold a class.
module_of() {
  local f
  f=$(cd "$scratch" && find functions local integration -path '*/src/test/java/*' -name "$1.java" 2>/dev/null | head -1)
  [ -n "$f" ] && echo "${f%%/*}"
}

# Runs the classes (comma-separated) in the scratch copy; prints caught|passed|NO-RUN.
run_tests() {
  local tests="$1" log="$2" modules="" m t
  IFS=, read -r -a names <<<"$tests"
  for t in "${names[@]}"; do
    m=$(module_of "$t") || true
    [ -n "$m" ] || { echo "NO-RUN"; echo "no test class $t in functions/, local/ or integration/" >>"$log"; return; }
    case ",$modules," in *",$m,"*) ;; *) modules="${modules:+$modules,}$m";; esac
  done
  (cd "$scratch" && find . -path '*/target/surefire-reports' -type d -prune -exec rm -rf {} + 2>/dev/null) || true
  (cd "$scratch" && timeout 3600 mvn -B -pl "$modules" -am verify -Dtest="$tests" \
      -Dsurefire.failIfNoSpecifiedTests=false -Dmaven.test.failure.ignore=true >>"$log" 2>&1) || true
  local all_failed=1 report tests_n bad
  for t in "${names[@]}"; do
    report=$(find "$scratch" -path '*/target/surefire-reports/*' -name "TEST-*.$t.xml" 2>/dev/null | head -1)
    [ -n "$report" ] || { echo "NO-RUN"; return; }
    tests_n=$(sed -n 's/.*<testsuite [^>]*tests="\([0-9]*\)".*/\1/p' "$report" | head -1)
    bad=$(sed -n 's/.*<testsuite [^>]*failures="\([0-9]*\)".*/\1/p' "$report" | head -1)
    bad=$((bad + $(sed -n 's/.*<testsuite [^>]*errors="\([0-9]*\)".*/\1/p' "$report" | head -1)))
    [ "${tests_n:-0}" -gt 0 ] || { echo "NO-RUN"; return; }
    [ "$bad" -gt 0 ] || all_failed=0
  done
  if [ "$all_failed" = 1 ]; then echo caught; else echo passed; fi
}

# Reads the rows: id file find replace tests claim (TAB-separated).
ids=(); files=(); finds=(); repls=(); testsets=(); claims=()
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in ''|'#'*) continue;; esac
  # `read` joins empty fields (tab is whitespace to IFS): split by hand so an empty replace stays empty
  IFS= mapfile -t f < <(printf '%s' "$line" | tr '\t' '\n')
  [ "${#f[@]}" -ge 5 ] || { echo "error: row needs 6 TAB-separated fields: $line" >&2; exit 2; }
  id=${f[0]}; file=${f[1]}; find=${f[2]}; repl=${f[3]}; tests=${f[4]}; claim=${f[5]:-}
  if [ -n "$only" ] && [[ "$only" != *",$id,"* ]]; then continue; fi
  ids+=("$id"); files+=("$file"); finds+=("$find"); repls+=("$repl"); testsets+=("$tests"); claims+=("$claim")
done <"$list"
[ "${#ids[@]}" -gt 0 ] || { echo "error: no rows selected from $list" >&2; exit 2; }

logdir="$scratch/harness-logs"; mkdir -p "$logdir"
declare -A base=()
if [ "$baseline" = 1 ]; then
  for tests in $(printf '%s\n' "${testsets[@]}" | sort -u); do
    start=$SECONDS
    base[$tests]=$(run_tests "$tests" "$logdir/baseline-$tests.log")
    echo "baseline $tests: ${base[$tests]} ($((SECONDS - start)) s)"
  done
fi

outcomes=(); secs=()
for i in "${!ids[@]}"; do
  id=${ids[$i]}; file=${files[$i]}; tests=${testsets[$i]}
  find=$(printf '%b' "${finds[$i]}"); repl=$(printf '%b' "${repls[$i]}")
  target="$scratch/$file"; start=$SECONDS; outcome=""
  if [ "$baseline" = 1 ] && [ "${base[$tests]}" != passed ]; then
    outcome=BASELINE-FAILS
  elif [ ! -f "$target" ] || [ -z "$find" ]; then
    outcome=ERROR
  else
    original=$(cat "$target"; printf x); original=${original%x}
    rest=${original//"$find"/}
    count=$(( (${#original} - ${#rest}) / ${#find} ))
    if [ "$count" != 1 ]; then
      outcome=ERROR; echo "$id: the text to replace occurs $count times in $file" >&2
    else
      printf '%s' "${original/"$find"/"$repl"}" >"$target"
      r=$(run_tests "$tests" "$logdir/$id.log")
      printf '%s' "$original" >"$target"
      case "$r" in caught) outcome=caught;; passed) outcome=SURVIVED;; *) outcome=$r;; esac
    fi
  fi
  outcomes+=("$outcome"); secs+=($((SECONDS - start)))
  echo "$id: $outcome (${secs[$i]} s)"
done

table() {
  echo "| id | test class(es) that must fail | outcome | seconds | claim |"
  echo "|---|---|---|---|---|"
  for i in "${!ids[@]}"; do
    echo "| \`${ids[$i]}\` | ${testsets[$i]//,/, } | ${outcomes[$i]} | ${secs[$i]} | ${claims[$i]//|/\\|} |"
  done
}
echo; table
failed=0
for o in "${outcomes[@]}"; do [ "$o" = caught ] || failed=1; done

if [ -z "$only" ]; then
  {
    echo "# Mutation harness: end-to-end claims"
    echo
    echo "Written by \`scripts/mutation-harness.sh\` from [mutations.tsv](mutations.tsv) (the edits and"
    echo "their format); do not edit by hand. Commit $commit, $(date -u +%Y-%m-%d), baseline $([ "$baseline" = 1 ] && echo run || echo skipped)."
    echo "Each row is one edit of the code, applied alone in a scratch copy; \"caught\" means every named"
    echo "test class failed on it, SURVIVED that they all passed (the claim is not proven by them)."
    echo
    table
  } >docs/mutation-harness.md
  echo "wrote docs/mutation-harness.md"
fi
exit "$failed"
