// Resolving parsed /proc/PID/cgroup entries against a parsed mount table: which mount of each
// hierarchy shows the cgroup, and its directory there (see locate.ts for the whole picture).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NsError } from '../errors.js';
import { readTextIfExists } from '../io.js';
import type { MountInfo } from '../parse/mountinfo.js';
import type { ProcCgroupEntry } from '../parse/proc-cgroup.js';
import type { RootOptions } from '../targets.js';
import type { CgroupLocation, CgroupMode } from './types.js';

/** Controllers that can be bound to a v1 hierarchy; the other v1 mount options are not controllers. */
const V1_CONTROLLERS = new Set([
  'cpu',
  'cpuacct',
  'cpuset',
  'memory',
  'blkio',
  'pids',
  'devices',
  'freezer',
  'net_cls',
  'net_prio',
  'perf_event',
  'hugetlb',
  'rdma',
  'misc',
]);

/** How many directories a namespace-relative search may look at before giving up. */
const SEARCH_LIMIT = 10_000;

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
  throw new NsError('ENOENT', "no cgroup filesystem is mounted in the reader's mount namespace", { syscall: 'open' });
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
    names = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
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
function resolveIn(
  path: string,
  mounts: MountInfo[],
  sysRoot: string,
  pid: number | undefined,
): { dir: string; mountRoot: string } | undefined {
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
export function locateCgroups(
  entries: ProcCgroupEntry[],
  mounts: MountInfo[],
  options: RootOptions & { pid?: number } = {},
): CgroupLocation {
  const sysRoot = options.sysRoot ?? '/sys';
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
    const found = resolveIn(
      v2Path,
      mounts.filter((m) => m.fsType === 'cgroup2'),
      sysRoot,
      options.pid,
    );
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
