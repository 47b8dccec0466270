#!/bin/sh
# Captures test/fixtures/containers/v2-views/ on the test:kernel VM's pure cgroup v2 kernel:
#   NSJOIN_KERNEL_CMD='sh scripts/kernel/capture-v2-views.sh test/fixtures/containers/v2-views' npm run test:kernel
# Makes a Kubernetes pod's and a docker container's cgroups as the kubelet (systemd driver) and
# dockerd name them, sets real limits, puts real load in the containers (anonymous memory, shmem,
# page cache of the scratch disk, so inactive_file > 0), then copies every readable file of
# those cgroups and their ancestors, /proc/meminfo, the CPUs online, the containers' /proc/PID/cgroup
# and /proc/self/mountinfo, byte for byte, to DIR as a fake root. Removes everything it made.
set -eu
out=$1
cg=/sys/fs/cgroup
rep() { i=0; s=; while [ $i -lt 32 ]; do s=$s$1; i=$((i + 1)); done; echo "$s"; }
pod=kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0e7b2f6a_91c4_4d5e_8f3a_2b1c9d8e7f60.slice
ctr=$pod/cri-containerd-$(rep 1c).scope
dock=system.slice/docker-$(rep 4f).scope
pids=
cleanup() {
  for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
  rm -f /dev/shm/nsjoin-capture-* /tmp/nsjoin-capture-ready-*
  sleep 0.3
  for d in $ctr $pod kubepods.slice/kubepods-burstable.slice kubepods.slice $dock system.slice; do rmdir "$cg/$d" 2>/dev/null || true; done
}
trap cleanup EXIT

mkdir -p "$cg/$ctr" "$cg/$dock"
for d in kubepods.slice kubepods.slice/kubepods-burstable.slice $pod system.slice; do
  echo "+cpuset +cpu +io +memory +pids" > "$cg/$d/cgroup.subtree_control"
done
# Limits as a kubelet and containerd write them: the pod slice's are the smaller ones.
echo $((160 << 20)) > "$cg/$pod/memory.max"
echo "150000 100000" > "$cg/$pod/cpu.max"
echo 1 > "$cg/$pod/cpuset.cpus"
echo $((200 << 20)) > "$cg/$ctr/memory.max"
echo "250000 100000" > "$cg/$ctr/cpu.max"

# Load: in the pod's container a node process holds 16 MiB of anonymous memory, has written 24 MiB
# of shmem and 32 MiB through the page cache of the scratch disk (written, synced and read back: file
# cache, partly inactive); in the docker container one holds 8 MiB of page cache the same way.
load() { # cgroup, MiB through the disk cache, offset MiB, shmem MiB, anon MiB
  node -e "
    const fs = require('fs');
    fs.writeFileSync('$cg/$1/cgroup.procs', String(process.pid));
    if ($4) fs.writeFileSync('/dev/shm/nsjoin-capture-$3', Buffer.alloc($4 << 20, 1));
    const fd = fs.openSync('/dev/vda', 'r+'), b = Buffer.alloc(1 << 20, 2);
    for (let i = 0; i < $2; i++) fs.writeSync(fd, b, 0, b.length, ($3 + i) << 20);
    fs.fsyncSync(fd);
    for (let i = 0; i < $2; i++) fs.readSync(fd, b, 0, b.length, ($3 + i) << 20);
    globalThis.keep = Buffer.alloc($5 << 20, 3);
    fs.writeFileSync('/tmp/nsjoin-capture-ready-$3', '');
    setInterval(() => {}, 1e9);" &
  pids="$pids $!"
}
load "$ctr" 32 8 24 16
load "$dock" 8 48 0 0
for off in 8 48; do
  i=0; while [ ! -e /tmp/nsjoin-capture-ready-$off ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
done
sleep 1

copy_dir() { # cgroup-relative dir
  mkdir -p "$out/sys/fs/cgroup/$1"
  for f in "$cg/$1"/*; do
    [ -f "$f" ] || continue
    # Write-only files (cgroup.kill, memory.reclaim) fail to read: left out.
    cat "$f" > "$out/sys/fs/cgroup/$1/${f##*/}" 2>/dev/null || rm -f "$out/sys/fs/cgroup/$1/${f##*/}"
  done
}
rm -rf "$out"
for d in . kubepods.slice kubepods.slice/kubepods-burstable.slice $pod $ctr system.slice $dock; do copy_dir "$d"; done
mkdir -p "$out/proc/self" "$out/sys/devices/system/cpu"
cat /proc/meminfo > "$out/proc/meminfo"
cat /sys/devices/system/cpu/online > "$out/sys/devices/system/cpu/online"
for p in $pids; do mkdir -p "$out/proc/$p"; cat "/proc/$p/cgroup" > "$out/proc/$p/cgroup"; done
# The VM's 9p shares are mounted at the host's own paths: those lines are left out of mountinfo.
grep -v ' 9p ' /proc/self/mountinfo > "$out/proc/self/mountinfo"
echo "captured to $out: $(find "$out" -type f | wc -l) files"
