# Sourced by .ci/run and run-local.sh: makes JAVA_HOME point at a JDK 21 or newer (the build
# compiles with --release 21 for the Lambda java21 runtime). Keeps a suitable JAVA_HOME as is.
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1; }
pick_java_home() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(java_major "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then return 0; fi
  local candidate
  for candidate in /usr/lib/jvm/* "$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")")"; do
    if [ -x "$candidate/bin/javac" ] && [ "$(java_major "$candidate")" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"; return 0
    fi
  done
  echo "error: a JDK 21 or newer is required (set JAVA_HOME); found none under /usr/lib/jvm" >&2
  return 1
}
pick_java_home
export PATH="$JAVA_HOME/bin:$PATH"
