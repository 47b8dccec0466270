#!/usr/bin/env bash
# Stops the daemons scripts/runtimes/start.sh started (their pids are in $state/*.started), lxcfs first
# so its FUSE mount goes with it, dockerd before the containerd it uses. A daemon someone else started
# is left alone. The images stay (start.sh reuses them).
set -uo pipefail
state=${NSJOIN_RUNTIME_STATE:-/var/tmp/nsjoin-runtimes}
for name in lxcfs dockerd containerd; do
  file="$state/$name.started"
  [[ -f $file ]] || continue
  pid=$(<"$file")
  rm -f "$file"
  # The pid is ours only while it still runs that daemon (setsid execs it, so comm is its name).
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]] || continue
  kill -TERM "$pid"
  for _ in $(seq 150); do [[ -e /proc/$pid ]] || break; sleep 0.2; done
  if [[ -e /proc/$pid ]]; then echo "$name ($pid) did not stop in 30 s; killing it" >&2; kill -KILL "$pid"; fi
done
# lxcfs unmounts on SIGTERM; after a SIGKILL the mount stays, dead.
if grep -q ' /var/lib/lxcfs ' /proc/self/mountinfo && ! test -r /var/lib/lxcfs/proc/meminfo 2>/dev/null; then
  umount /var/lib/lxcfs 2>/dev/null || umount -l /var/lib/lxcfs
fi
exit 0
