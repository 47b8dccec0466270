#!/usr/bin/env bash
# Cross-compiles the linux-arm64 prebuild (prebuilds/linux-arm64/nsjoin.node) with Debian's
# g++-aarch64-linux-gnu. N-API needs no Node of that architecture: the headers are the same.
# The build runs in a scratch copy, so build/Release (this machine's addon) is left as it is.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v aarch64-linux-gnu-g++ >/dev/null; then
  echo "prebuild-arm64: aarch64-linux-gnu-g++ is missing (apt-get install g++-aarch64-linux-gnu)" >&2
  exit 1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r binding.gyp package.json native "$scratch/"
mkdir -p "$scratch/node_modules"
ln -s "$PWD/node_modules/node-addon-api" "$scratch/node_modules/node-addon-api"
(
  cd "$scratch"
  # node-gyp from our devDependencies, and the Node headers npm is configured with (no download).
  export PATH="$OLDPWD/node_modules/.bin:$PATH"
  export npm_config_nodedir="${npm_config_nodedir:-$(npm config get nodedir)}"
  export CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-g++ AR=aarch64-linux-gnu-ar PREBUILD_STRIP_BIN=aarch64-linux-gnu-strip
  prebuildify --napi --strip --arch arm64 >build.log 2>&1 || { tail -30 build.log >&2; exit 1; }
)
mkdir -p prebuilds/linux-arm64
cp "$scratch/prebuilds/linux-arm64/nsjoin.node" prebuilds/linux-arm64/nsjoin.node
echo "prebuilds/linux-arm64/nsjoin.node"
