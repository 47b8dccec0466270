#!/bin/sh
# Builds the addon with AddressSanitizer and UndefinedBehaviorSanitizer and runs the exec suite
# against it: `sh scripts/sanitize.sh [FILTER]` (FILTER: a file-name filter in test/; default: the exec suite
# test/exec-*.test.ts and test/stress/hostile.test.ts).
#
# The build and the run happen in a snapshot of the package under .cache/sanitize (binding.gyp,
# native/, lib/, test/, scripts/; node_modules linked; dist/ compiled there), so the regular build/ is left alone and the
# suite loads the sanitized addon through the usual lib/binding.ts. Node itself is not built with
# ASan, so the runtimes are preloaded; leak detection is off (Node and V8 keep memory until exit on
# purpose; scripts/valgrind.sh measures our leaks). Every sanitizer report goes to a log file, from
# every process: Node and the joiner (it runs the addon's code until it execs the trampoline, which
# binding.gyp never instruments: it is static and runs alone).
# The run fails if the suite fails or any report was written.
set -eu
filter="${1:-}"
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.cache/sanitize"
cxx="${CXX:-g++}"
asan=$("$cxx" -print-file-name=libasan.so)
ubsan=$("$cxx" -print-file-name=libubsan.so)
for lib in "$asan" "$ubsan"; do
  case "$lib" in /*) ;; *) echo "sanitize: $cxx has no $lib (install the compiler's sanitizer runtimes, e.g. libasan8 libubsan1)" >&2; exit 2 ;; esac
done

rm -rf "$out"
mkdir -p "$out/logs"
# Some tests run Node as an unprivileged user: its processes must be able to write their reports.
chmod 1777 "$out/logs"
cp -r "$root/binding.gyp" "$root/package.json" "$root/tsconfig.json" "$root/tsconfig.build.json" "$root/native" "$root/lib" "$root/test" "$root/scripts" "$out/"
ln -s "$root/node_modules" "$out/node_modules"
cd "$out"
# The tests that run as another user load the compiled package (test/helpers/public-copy.ts).
"$root/node_modules/.bin/tsc" -p tsconfig.build.json
# Node's own headers when the system has them (distribution packages), else node-gyp fetches them.
nodedir=""
[ -f "$(dirname "$(dirname "$(command -v node)")")/include/node/node_api.h" ] && nodedir="--nodedir=$(dirname "$(dirname "$(command -v node)")")"
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
CXX="$cxx" CXXFLAGS="$flags" CFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined" \
  "$root/node_modules/.bin/node-gyp" rebuild $nodedir >"$out/logs/build.txt" 2>&1 || { cat "$out/logs/build.txt"; exit 1; }
nm -D build/Release/nsjoin.node | grep -q __asan_report || { echo "sanitize: the addon was not instrumented" >&2; exit 1; }

export LD_PRELOAD="$asan $ubsan"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:log_path=$out/logs/asan:verify_asan_link_order=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$out/logs/ubsan"
status=0
if [ -n "$filter" ]; then
  node scripts/run-tests.mjs test "$filter" || status=$?
else
  # The exec suite, file by file (a name filter would also take cli-exec-*), and the hostile-input
  # stress tests, whose raw-addon fuzzing is worth most with the sanitizers watching.
  for f in test/exec-*.test.ts; do
    node scripts/run-tests.mjs test "$(basename "$f")" || status=$?
  done
  node scripts/run-tests.mjs test/stress hostile || status=$?
fi
unset LD_PRELOAD

# The joiner runs on a stack of its own (mmap'd for clone), which ASan does not know: when it calls a
# noreturn function (_exit) it warns that it cannot unpoison that stack. The warning is expected and
# harmless there; any ERROR (ASan) or runtime error (UBSan) fails the run.
logs=$(find "$out/logs" -name 'asan.*' -o -name 'ubsan.*' | sort)
errors=$(for r in $logs; do grep -lE 'ERROR: |runtime error:' "$r" || true; done)
warned=$(echo "$logs" | grep -c . || true)
if [ -n "$errors" ]; then
  for r in $errors; do echo "== $r"; cat "$r"; done
  echo "sanitize: $(echo "$errors" | wc -l) sanitizer error report(s)" >&2
  exit 1
fi
others=$(for r in $logs; do grep -v -e "__asan_handle_no_return" -e "False positive error reports may follow" -e "google/sanitizers/issues/189" "$r" | grep -q . && echo "$r"; done || true)
if [ -n "$others" ]; then
  for r in $others; do echo "== $r"; cat "$r"; done
  echo "sanitize: unexpected sanitizer output" >&2
  exit 1
fi
[ "$status" -eq 0 ] || { echo "sanitize: the suite failed under the sanitizers" >&2; exit "$status"; }
echo "sanitize: clean (ASan + UBSan, ${filter:-exec suite + stress hostile}; $warned clone-stack warning(s) from joiner processes)"
