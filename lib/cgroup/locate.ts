// Finding a process's cgroup directories: /proc/PID/cgroup says which cgroup of each hierarchy
// (relative to the reader's cgroup namespace), the reader's mountinfo says where each hierarchy is
// mounted and which cgroup each mount shows (its root field). Every controller is resolved on its
// own, because hybrid hosts mix v1 hierarchies and a cgroup2 mount, and v1 controllers may be
// mounted alone (cpu, cpuacct separately) or together (cpu,cpuacct).
import { closeSync, existsSync, fstatSync, openSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { binding } from '../binding.js';
import { NsError } from '../errors.js';
import { readProc, readText, readTextIfExists } from '../io.js';
import { parseMountinfo, type MountInfo } from '../parse/mountinfo.js';
import { parseProcCgroup, type ProcCgroupEntry } from '../parse/proc-cgroup.js';
import { resolveTarget, type RootOptions, type Target } from '../targets.js';
import type { CgroupLocation, CgroupMode } from './types.js';

/** Controllers that can be bound to a v1 hierarchy; the other v1 mount options are not controllers. */
const V1_CONTROLLERS = new Set([
  'cpu', 'cpuacct', 'cpuset', 'memory', 'blkio', 'pids', 'devices', 'freezer', 'net_cls', 'net_prio',
  'perf_event', 'hugetlb', 'rdma', 'misc',
]);

/** How many directories a namespace-relative search may look at before giving up. */
const SEARCH_LIMIT = 10_000;

function roots(options: RootOptions): { procRoot: string; sysRoot: string } {
  return { procRoot: options.procRoot ?? '/proc', sysRoot: options.sysRoot ?? '/sys' };
}

/** A mount point of the reader, moved under `sysRoot` when the caller points sysfs elsewhere (captured trees). */
export function mapMountPoint(mountPoint: string, sysRoot: string): string {
  if (sysRoot === '/sys') return mountPoint;
  if (mountPoint === '/sys') return sysRoot;
  if (mountPoint.startsWith('/sys/')) return sysRoot + mountPoint.slice(4);
  return mountPoint;
}

// Per mount object: readMounts hands out the same parsed table while mountinfo is unchanged, and
// locating a process asks this for every (controller line, mount) pair.
const controllersOf = new WeakMap<MountInfo, string[]>();

/** The controllers (and 'name=...') a v1 cgroup mount carries, from its super options. */
export function v1MountControllers(mount: MountInfo): string[] {
  let list = controllersOf.get(mount);
  if (!list) {
    list = mount.superOptions.filter((o) => V1_CONTROLLERS.has(o) || o.startsWith('name='));
    controllersOf.set(mount, list);
  }
  return list;
}

/** The cgroup mode of a mount table: which cgroup filesystems are mounted. */
export function cgroupModeOf(mounts: MountInfo[]): CgroupMode {
  const v1 = mounts.some((m) => m.fsType === 'cgroup');
  const v2 = mounts.some((m) => m.fsType === 'cgroup2');
  if (v1 && v2) return 'hybrid';
  if (v2) return 'v2';
  if (v1) return 'v1';
  throw new NsError('ENOENT', 'no cgroup filesystem is mounted in the reader\'s mount namespace', { syscall: 'open' });
}

function parts(p: string): string[] {
  return p.split('/').filter((x) => x !== '' && x !== '.');
}

type Relation = { rel: string[] } | { depth: number; rest: string[] };

/**
 * Relates a cgroup path to a mount's root, both relative to the reader's cgroup namespace.
 * `{ rel }`: the cgroup is mount point + rel. `{ depth, rest }`: the mount shows an ancestor of the
 * reader's namespace root ('/..'), so the cgroup is mount point + `depth` unknown names + rest.
 */
export function relateToMountRoot(path: string, root: string): Relation | undefined {
  const p = parts(path);
  const r = parts(root);
  let c = 0;
  while (c < p.length && c < r.length && p[c] === r[c]) c++;
  const pRest = p.slice(c);
  if (pRest.includes('..')) return undefined;
  if (c === r.length) return { rel: pRest };
  const rRest = r.slice(c);
  if (rRest.every((x) => x === '..')) return { depth: rRest.length, rest: pRest };
  return undefined;
}

// path.join's normalisation is the costliest step of locating a process; a clean absolute mount
// point (the usual case) only needs the names appended. `names` never hold '', '.' or '..'.
const UNCLEAN = /\/\/|\/\.\.?(\/|$)|\/$/;
function under(base: string, names: string[]): string {
  if (names.length === 0 || base[0] !== '/' || UNCLEAN.test(base)) return join(base, ...names);
  return `${base}/${names.join('/')}`;
}

function dirsAtDepth(dir: string, depth: number, budget: { left: number }): string[] {
  if (depth === 0) return [dir];
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    if (--budget.left < 0) break;
    out.push(...dirsAtDepth(join(dir, name), depth - 1, budget));
  }
  return out;
}

function holdsPid(dir: string, pid: number): boolean {
  try {
    const procs = readTextIfExists(join(dir, 'cgroup.procs'));
    return procs !== undefined && procs.split('\n').includes(String(pid));
  } catch {
    return false; // an unreadable cgroup on the way is not the one we look for
  }
}

/**
 * Finds the directory of a cgroup path among the mounts of one hierarchy: the mount whose root
 * holds the path, preferring the widest root (so that ancestors stay reachable for effective limits).
 * When only a mount showing an ancestor of the reader's cgroup namespace root exists, the directory
 * is searched for: the one whose cgroup.procs lists `pid`.
 */
function resolveIn(path: string, mounts: MountInfo[], sysRoot: string, pid: number | undefined): { dir: string; mountRoot: string } | undefined {
  const direct: { dir: string; mountRoot: string; width: number }[] = [];
  const searches: { mountRoot: string; depth: number; rest: string[] }[] = [];
  for (const m of mounts) {
    const relation = relateToMountRoot(path, m.root);
    if (!relation) continue;
    const mountRoot = mapMountPoint(m.mountPoint, sysRoot);
    if ('rel' in relation) direct.push({ dir: under(mountRoot, relation.rel), mountRoot, width: parts(m.root).length });
    else searches.push({ mountRoot, ...relation });
  }
  direct.sort((a, b) => a.width - b.width);
  if (direct[0]) return { dir: direct[0].dir, mountRoot: direct[0].mountRoot };
  if (pid === undefined) return undefined;
  for (const s of searches) {
    const found = dirsAtDepth(s.mountRoot, s.depth, { left: SEARCH_LIMIT })
      .map((d) => join(d, ...s.rest))
      .filter((d) => existsSync(d) && holdsPid(d, pid));
    if (found.length === 1) return { dir: found[0]!, mountRoot: s.mountRoot };
  }
  return undefined;
}

/**
 * Resolves parsed /proc/PID/cgroup entries against a parsed mountinfo (pure but for the
 * cgroup.controllers read of v2 and the search described in `cgroupOf`).
 */
export function locateCgroups(entries: ProcCgroupEntry[], mounts: MountInfo[], options: RootOptions & { pid?: number } = {}): CgroupLocation {
  const { sysRoot } = roots(options);
  const location: CgroupLocation = { mode: cgroupModeOf(mounts), controllers: {}, mountRoots: {} };
  const v1Mounts = mounts.filter((m) => m.fsType === 'cgroup');
  let v2Path: string | undefined;
  for (const entry of entries) {
    if (entry.hierarchyId === 0 && entry.controllers.length === 0) {
      v2Path = entry.path;
      continue;
    }
    if (entry.controllers.length === 0) continue;
    const mine = v1Mounts.filter((m) => {
      const have = v1MountControllers(m);
      return entry.controllers.every((c) => have.includes(c));
    });
    const found = resolveIn(entry.path, mine, sysRoot, options.pid);
    if (!found) continue;
    for (const c of entry.controllers) {
      location.controllers[c] = found.dir;
      location.mountRoots[c] = found.mountRoot;
    }
  }
  if (v2Path !== undefined) {
    const found = resolveIn(v2Path, mounts.filter((m) => m.fsType === 'cgroup2'), sysRoot, options.pid);
    if (found) {
      location.unified = found.dir;
      location.unifiedMountRoot = found.mountRoot;
      const available = readTextIfExists(join(found.dir, 'cgroup.controllers'));
      for (const c of (available ?? '').split(/\s+/)) {
        if (c === '' || c in location.controllers) continue;
        location.controllers[c] = found.dir;
        location.mountRoots[c] = found.mountRoot;
      }
    }
  }
  return location;
}

// The last mountinfo parsed. The reader's own /proc/self/mountinfo is watched: a file of it is
// kept open (close-on-exec) and the kernel marks that file with POLLPRI as soon as any mount of the
// namespace is added, removed or moved (see native/mountwatch.cc); until then the parsed table is
// served without reading the file again. The mark is taken (poll) BEFORE the file is read anew, so
// a change that races the read marks the file again and the next call reads once more: a stale
// table is never served. Any other path (a captured procRoot), or no addon, falls back to reading
// the file every time and reusing the parse only when the text is the same.
let lastMounts: { path: string; text: string; mounts: MountInfo[] } | undefined;
let watchFd = -1;
let watchDev = 0, watchIno = 0;
let watchUnavailable = false;

/** Whether the parsed table of `path` is current: true only for a watched mountinfo the kernel has not marked. */
function mountsUnchanged(path: string): boolean {
  if (path !== '/proc/self/mountinfo' || watchUnavailable) return false;
  try {
    if (watchFd < 0) {
      // Opened before the first read: every change after this point marks the fd.
      watchFd = openSync(path, 'r');
      // Which file it is: if our fd is ever closed behind our back and its number reused, poll on
      // the other file would never report a change; pollPri checks dev and ino first.
      const st = fstatSync(watchFd);
      watchDev = st.dev;
      watchIno = st.ino;
      return false;
    }
    const r = binding().pollPri(watchFd, watchDev, watchIno);
    if (r === 0) return lastMounts?.path === path;
    if (typeof r === 'object' && r.errno === constants.errno.ESTALE) {
      // Our fd was closed by someone else and its number is another file now: not ours to close.
      // Forget it; the next call opens a new one.
      watchFd = -1;
      lastMounts = undefined;
      return false;
    }
    if (typeof r === 'object') throw new Error(`${r.step}: errno ${r.errno}`);
    // Marked (and the mark now taken): forget the table, so that a failed read cannot leave it served.
    lastMounts = undefined;
    return false;
  } catch {
    // No addon, or poll failed: read every time, as before.
    watchUnavailable = true;
    if (watchFd >= 0) try { closeSync(watchFd); } catch { /* already gone */ }
    watchFd = -1;
    return false;
  }
}

/** Reads and parses the reader's own mountinfo (`procRoot`/self/mountinfo). Callers must not modify the result. */
export function readMounts(options: RootOptions = {}): MountInfo[] {
  const path = `${roots(options).procRoot}/self/mountinfo`;
  if (mountsUnchanged(path)) return lastMounts!.mounts;
  const text = readText(path);
  if (lastMounts && lastMounts.path === path && lastMounts.text === text) return lastMounts.mounts;
  const mounts = parseMountinfo(text, path);
  lastMounts = { path, text, mounts };
  return mounts;
}

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
  const { procRoot } = roots(options);
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
  const { sysRoot } = roots(options);
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
