// Finding a process's cgroup directories: /proc/PID/cgroup says which cgroup of each hierarchy
// (relative to the reader's cgroup namespace), the reader's mountinfo says where each hierarchy is
// mounted and which cgroup each mount shows (its root field). Every controller is resolved on its
// own, because hybrid hosts mix v1 hierarchies and a cgroup2 mount, and v1 controllers may be
// mounted alone (cpu, cpuacct separately) or together (cpu,cpuacct).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NsError } from '../errors.js';
import { readProc } from '../io.js';
import { parseProcCgroup, type ProcCgroupEntry } from '../parse/proc-cgroup.js';
import { resolveTarget, type RootOptions, type Target } from '../targets.js';
import { readMounts } from './mount-table.js';
import { locateCgroups, mapMountPoint, v1MountControllers } from './resolve.js';
import type { CgroupLocation } from './types.js';

export { readMounts } from './mount-table.js';
export { cgroupModeOf, locateCgroups, mapMountPoint, relateToMountRoot, v1MountControllers } from './resolve.js';

/**
 * Where the cgroups of a process are: the mode of the host ('v1', 'v2', 'hybrid') and the directory
 * of each of its controllers, from `procRoot`/PID/cgroup and the reader's own
 * `procRoot`/self/mountinfo (mount point + the cgroup path relative to the mount's root field).
 * Correct for processes in other cgroup namespaces (their paths are shown relative to ours), for
 * bind-mounted sub-hierarchies, for ':' and escaped characters in paths, for co-mounted and lone v1
 * controllers and for named hierarchies ('name=systemd'). When the reader itself sits in a cgroup
 * namespace whose mount shows an ancestor ('/..'), the directory is found by looking for the pid in
 * cgroup.procs below the mount.
 *
 * Mount points under /sys are moved under `sysRoot`. Synchronous: reads pseudo-files only.
 *
 * @throws TypeError/RangeError for a malformed target; NsError when /proc/PID/cgroup or mountinfo
 *   cannot be read (ESRCH: no such process) or no cgroup filesystem is mounted; ParseError
 *   when they are malformed
 */
export function cgroupOf(target: Target, options: RootOptions = {}): CgroupLocation {
  const pid = resolveTarget(target, options);
  const procRoot = options.procRoot ?? '/proc';
  const path = `${procRoot}/${pid}/cgroup`;
  const entries = parseProcCgroup(readProc(procRoot, pid, path), path);
  return locateCgroups(entries, readMounts(options), { ...options, pid });
}

/**
 * Builds a location from a cgroup path or directory instead of a process. `version` 2: `path` is a
 * directory under the cgroup2 mount or a cgroup path relative to the cgroup2 root ('/system.slice/x').
 * `version` 1: `path` is a directory of one v1 controller ('/sys/fs/cgroup/memory/docker/ID') or a
 * cgroup path ('/docker/ID'); the same cgroup path is then looked up in every v1 hierarchy, and the
 * hierarchies where it does not exist are left out.
 *
 * @throws TypeError for a bad version or a relative path; NsError when mountinfo cannot be read or
 *   nothing of that version is mounted
 */
export function locatePath(path: string, version: 1 | 2, options: RootOptions = {}): CgroupLocation {
  if (version !== 1 && version !== 2) throw new TypeError(`version must be 1 or 2, got ${String(version)}`);
  if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError('path must be an absolute path');
  const sysRoot = options.sysRoot ?? '/sys';
  const mounts = readMounts(options).filter((m) => m.fsType === (version === 2 ? 'cgroup2' : 'cgroup'));
  if (mounts.length === 0) throw new NsError('ENOENT', `no cgroup v${version} filesystem is mounted`, { path });
  const clean = join('/', path);
  // A directory under one of the mounts names the cgroup path that mount shows.
  let cgroupPath = clean;
  for (const m of mounts) {
    const mp = mapMountPoint(m.mountPoint, sysRoot);
    if (clean === mp || clean.startsWith(mp === '/' ? '/' : `${mp}/`)) {
      cgroupPath = join(m.root, clean.slice(mp.length));
      break;
    }
  }
  if (version === 2) {
    const entries: ProcCgroupEntry[] = [{ hierarchyId: 0, controllers: [], path: cgroupPath }];
    return { ...locateCgroups(entries, mounts, options), mode: 'v2' };
  }
  const entries = mounts.map((m, i) => ({ hierarchyId: i + 1, controllers: v1MountControllers(m), path: cgroupPath }));
  const location: CgroupLocation = { ...locateCgroups(entries, mounts, options), mode: 'v1' };
  // The same cgroup path need not exist in every hierarchy (this process may sit elsewhere in some).
  for (const [c, dir] of Object.entries(location.controllers)) {
    if (!existsSync(dir)) {
      delete location.controllers[c];
      delete location.mountRoots[c];
    }
  }
  return location;
}
