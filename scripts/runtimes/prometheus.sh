#!/usr/bin/env bash
# Debian's prometheus package unpacked into .cache/prometheus (apt-get download + dpkg -x): the
# prometheus and promtool binaries without installing the package, which would start a service.
# Idempotent; prints the directory that holds the two binaries.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=.cache/prometheus
if [[ ! -x $dest/root/usr/bin/prometheus || ! -x $dest/root/usr/bin/promtool ]]; then
  rm -rf "$dest"
  mkdir -p "$dest/deb"
  (cd "$dest/deb" && apt-get download -q prometheus >/dev/null 2>&1) || { apt-get update -qq && (cd "$dest/deb" && apt-get download -q prometheus >/dev/null); }
  dpkg -x "$dest"/deb/prometheus_*.deb "$dest/root"
  rm -rf "$dest/deb"
fi
echo "$PWD/$dest/root/usr/bin"
