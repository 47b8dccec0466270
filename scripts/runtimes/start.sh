#!/usr/bin/env bash
# Brings up the real container runtimes the tests use, from nothing: installs what is missing from
# apt, starts a standalone containerd (its own /run/containerd, as on a Kubernetes node) and dockerd
# on top of it when they are not running, and makes the local test images from busybox-static (no
# registry). Idempotent: a second run finds everything up and returns at once. scripts/runtimes/stop.sh
# stops what this started (the pids in $state/*.started), and nothing else.
# Images: nsjoin-test/busybox (busybox and its applets), nsjoin-test/sleeponly (one static binary, /sleep).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
state=${NSJOIN_RUNTIME_STATE:-/var/tmp/nsjoin-runtimes}
mkdir -p "$state"

need=()
for cmd in dockerd:docker.io containerd:containerd runc:runc podman:podman lxcfs:lxcfs busybox:busybox-static iptables:iptables; do
  command -v "${cmd%%:*}" >/dev/null || need+=("${cmd##*:}")
done
if ((${#need[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The apt packages may start daemons under an init system; here they are started below, by hand.

wait_for() { # wait_for SECONDS CMD...
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || return 1
    sleep 0.2
  done
}

if ! ctr --address /run/containerd/containerd.sock version >/dev/null 2>&1; then
  setsid containerd --address /run/containerd/containerd.sock >"$state/containerd.log" 2>&1 </dev/null &
  echo $! >"$state/containerd.started"
  wait_for 30 ctr --address /run/containerd/containerd.sock version || { tail -20 "$state/containerd.log"; exit 1; }
fi
if ! docker info >/dev/null 2>&1; then
  # dockerd uses the containerd already running at /run/containerd (it starts its own only when none is).
  setsid dockerd --containerd /run/containerd/containerd.sock >"$state/dockerd.log" 2>&1 </dev/null &
  echo $! >"$state/dockerd.started"
  wait_for 60 docker info || { tail -20 "$state/dockerd.log"; exit 1; }
fi

# lxcfs at /var/lib/lxcfs (Debian's path): its proc/meminfo is the reference meminfo() is compared with.
# An lxcfs that was killed leaves its FUSE mount behind, dead (ENOTCONN on every access, even mkdir -p):
# detach it first, or nothing can be mounted there again.
if grep -q ' /var/lib/lxcfs ' /proc/self/mountinfo && ! test -r /var/lib/lxcfs/proc/meminfo 2>/dev/null; then
  echo "lxcfs: the mount at /var/lib/lxcfs is dead (its daemon is gone); detaching it"
  umount /var/lib/lxcfs 2>/dev/null || umount -l /var/lib/lxcfs
fi
if ! mountpoint -q /var/lib/lxcfs 2>/dev/null; then
  mkdir -p /var/lib/lxcfs
  setsid lxcfs --pidfile="$state/lxcfs.pid" /var/lib/lxcfs >"$state/lxcfs.log" 2>&1 </dev/null &
  echo $! >"$state/lxcfs.started"
  wait_for 30 test -r /var/lib/lxcfs/proc/meminfo || { tail -20 "$state/lxcfs.log"; exit 1; }
fi

# Images, made locally from busybox-static.
bb=$(command -v busybox)
if ! docker image inspect nsjoin-test/busybox >/dev/null 2>&1; then
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev"
  cp "$bb" "$root/bin/busybox"
  for applet in $("$bb" --list); do [[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  tar -C "$root" -c . | docker import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - nsjoin-test/busybox:latest >/dev/null
  rm -rf "$root"
fi
if ! docker image inspect nsjoin-test/sleeponly >/dev/null 2>&1; then
  root=$(mktemp -d)
  cp "$bb" "$root/sleep"
  tar -C "$root" -c . | docker import --change 'ENTRYPOINT ["/sleep"]' --change 'CMD ["100000"]' - nsjoin-test/sleeponly:latest >/dev/null
  rm -rf "$root"
fi
if ! podman image exists localhost/nsjoin-test/busybox 2>/dev/null; then
  docker save nsjoin-test/busybox:latest | podman load -q >/dev/null
fi
if ! ctr -n k8s.io images ls -q | grep -qx 'localhost/nsjoin-test/busybox:latest'; then
  # podman's archive names the image localhost/..., so containerd keeps that name.
  podman save localhost/nsjoin-test/busybox:latest | ctr -n k8s.io images import --all-platforms - >/dev/null
fi
echo "runtimes up: lxcfs $(lxcfs --version 2>&1 | tr -d '"'), containerd $(ctr version 2>/dev/null | awk '/Version/{print $2; exit}'), dockerd $(docker info -f '{{.ServerVersion}}'), podman $(podman --version | awk '{print $3}')"
