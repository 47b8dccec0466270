#!/usr/bin/env bash
# Builds the VM's kernel + initramfs from a Debian kernel package, without installing it (so no
# initramfs-tools, no systemd): apt-get download + dpkg -x, then busybox, the virtio and 9p modules
# with their dependencies, depmod, and scripts/kernel/init as /init.
# usage: scripts/kernel/initramfs.sh PACKAGE OUTDIR   (PACKAGE e.g. linux-image-6.1.0-56-amd64)
# Writes OUTDIR/vmlinuz, OUTDIR/initrd.gz and OUTDIR/kernel-version (written last: the cache's mark).
set -euo pipefail
pkg=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
# Loaded by /init in this order: the boot's (disk, 9p shares), then those the suites need (the
# host's modprobe in the chroot finds no modules for this kernel: everything must be loaded here).
modules=(virtio_pci virtio_blk 9pnet_virtio 9p veth dummy overlay loop tun)

busybox=/bin/busybox
if [[ ! -x $busybox ]] || ldd "$busybox" >/dev/null 2>&1; then
  echo "initramfs: need a static $busybox (apt-get install busybox-static)" >&2; exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$work/deb" "$work/x" "$work/root"

# apt-get download writes to the current directory; the '_apt' sandbox warning does not matter here.
(cd "$work/deb" && apt-get download -q "$pkg" 2>&1 | grep -v 'unsandboxed' >&2 || true)
deb=$(ls "$work"/deb/*.deb 2>/dev/null | head -1)
[[ -n $deb ]] || { echo "initramfs: apt-get download $pkg failed" >&2; exit 1; }
dpkg -x "$deb" "$work/x"
kver=$(ls "$work/x/lib/modules")
[[ -f $work/x/boot/vmlinuz-$kver ]] || { echo "initramfs: no vmlinuz-$kver in $pkg" >&2; exit 1; }

# The package ships no modules.dep (its postinst runs depmod): make one, then take the closure.
"$busybox" depmod -b "$work/x" "$kver"
mdir=lib/modules/$kver
wanted=$(awk -v want="${modules[*]}" '
  BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) todo[w[i]] = 1 }
  { sub(/:$/, "", $1); name = $1; sub(/.*\//, "", name); sub(/\.ko.*$/, "", name); gsub(/-/, "_", name)
    path[name] = $1; line = ""; for (i = 2; i <= NF; i++) line = line " " $i; deps[$1] = line }
  END {
    for (m in todo) { if (!(m in path)) { print "missing module " m > "/dev/stderr"; exit 1 } stack[++sp] = path[m] }
    while (sp > 0) { p = stack[sp--]; if (p in seen) continue; seen[p] = 1; print p
      k = split(deps[p], d, " "); for (i = 1; i <= k; i++) stack[++sp] = d[i] }
  }' "$work/x/$mdir/modules.dep")

r=$work/root
mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc,dev,proc,sys,newroot,project,tmp} "$r/$mdir"
cp "$busybox" "$r/bin/busybox"
ln -s busybox "$r/bin/sh"
for m in $wanted; do
  mkdir -p "$r/$mdir/$(dirname "$m")"
  cp "$work/x/$mdir/$m" "$r/$mdir/$m"
done
cp "$work/x/$mdir"/modules.{order,builtin} "$r/$mdir/"
"$busybox" depmod -b "$r" "$kver"
install -m 0755 "$here/init" "$r/init"
echo "${modules[*]}" > "$r/etc/modules"

(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$out/initrd.gz.tmp"
mv "$out/initrd.gz.tmp" "$out/initrd.gz"
cp "$work/x/boot/vmlinuz-$kver" "$out/vmlinuz"
echo "$kver" > "$out/kernel-version"
echo "initramfs: $pkg ($kver): $(echo $wanted | wc -w) modules, $(du -k "$out/initrd.gz" | cut -f1) KiB" >&2
