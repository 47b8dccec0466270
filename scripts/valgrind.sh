#!/bin/sh
# memcheck over a spawn loop: no invalid access, no growing leak. `sh scripts/valgrind.sh [N]`
# runs scripts/valgrind-loop.mjs with N and then 2N spawns (default 100) into a target made here
# (own uts, net, pid and mount namespaces), and fails on any memcheck error in the addon, or when
# the definitely/indirectly lost bytes after 2N runs exceed those after N (a per-run leak grows with
# N; what V8 and Node keep until exit does not). Needs valgrind and a built addon (npm run build).
set -eu
n="${1:-100}"
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.cache/valgrind"
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
mkdir -p "$out"
rm -f "$out"/*.txt

# --kill-child: the target ends with unshare; its stdio is not ours, so nothing waits on it.
unshare --uts --net --pid --fork --kill-child --mount-proc sleep 100000 </dev/null >/dev/null 2>&1 &
outer=$!
trap 'kill -9 $outer 2>/dev/null || true' EXIT INT TERM
target=""
for _ in $(seq 1 200); do
  target=$(cat /proc/$outer/task/$outer/children 2>/dev/null | tr -d ' ')
  [ -n "$target" ] && break
  sleep 0.05
done
[ -n "$target" ] || { echo "valgrind.sh: the target did not start" >&2; exit 1; }

run() {
  # --jitless: V8 without JIT code, so memcheck need not follow self-modifying code (faster, exact).
  # The joiner and the program are not traced: they are ours until execve and then other programs.
  valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=none \
    --track-origins=no --num-callers=30 --error-exitcode=0 --log-file="$out/memcheck-$1.txt" \
    node --jitless "$root/scripts/valgrind-loop.mjs" "$target" "$1" >"$out/stdout-$1.txt" 2>&1 || {
      cat "$out/stdout-$1.txt"; echo "valgrind.sh: the loop failed with $1 runs" >&2; exit 1; }
}
lost() { sed -n "s/.*$2 lost: \([0-9,]*\) bytes.*/\1/p" "$out/memcheck-$1.txt" | tr -d , | head -1; }
errors() { sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$out/memcheck-$1.txt" | tail -1; }
# Errors whose stack passes through the addon; V8/Node's own (if any) are not ours to fix here.
ours() { grep -c 'nsjoin.node' "$out/memcheck-$1.txt" || true; }

run "$n"
run $((2 * n))
d1=$(lost "$n" definitely); d2=$(lost $((2 * n)) definitely)
i1=$(lost "$n" indirectly); i2=$(lost $((2 * n)) indirectly)
e1=$(errors "$n"); e2=$(errors $((2 * n)))
sed -n 's/^valgrind-loop: /valgrind.sh: /p' "$out/stdout-$((2 * n)).txt"
echo "valgrind.sh: $n runs: ${e1:-?} errors, definitely lost ${d1:-0} B, indirectly lost ${i1:-0} B"
echo "valgrind.sh: $((2 * n)) runs: ${e2:-?} errors, definitely lost ${d2:-0} B, indirectly lost ${i2:-0} B"
invalid=$(grep -hcE 'Invalid (read|write|free)|uninitialised|Mismatched free|overlap' "$out/memcheck-$n.txt" "$out/memcheck-$((2 * n)).txt" | awk '{s+=$1} END {print s}')
addon=$(( $(ours "$n") + $(ours $((2 * n))) ))
status=0
if [ "$invalid" -gt 0 ]; then echo "valgrind.sh: $invalid invalid-access report(s); see $out" >&2; status=1; fi
if [ "$addon" -gt 0 ]; then echo "valgrind.sh: $addon report frame(s) in the addon; see $out" >&2; status=1; fi
if [ "${d2:-0}" -gt "${d1:-0}" ] || [ "${i2:-0}" -gt "${i1:-0}" ]; then echo "valgrind.sh: the leak grows with the number of runs" >&2; status=1; fi
[ "$status" -eq 0 ] && echo "valgrind.sh: clean (no invalid access, no leak that grows with runs)"
exit "$status"
