// Container discovery from /proc alone: every process's /proc/PID/cgroup is matched against the
// names runtimes give their cgroups (parse/container-id.ts). No runtime socket, no root needed to
// list (reading /proc/PID/cgroup is allowed for every process). Registers the `{ container }` target.
import { readdirSync } from 'node:fs';
import { NsError } from './errors.js';
import { readText } from './io.js';
import { parseContainerCgroup, type ContainerRuntime, type PodQos } from './parse/container-id.js';
import { parseProcCgroup } from './parse/proc-cgroup.js';
import { setContainerResolver, type RootOptions } from './targets.js';

export type { ContainerRuntime, PodQos } from './parse/container-id.js';

/** A container found on this host, from `listContainers()`. */
export interface Container {
  /** Container id (64 hex digits for docker, containerd, cri-o, podman; the name for lxc and systemd-nspawn). */
  id: string;
  runtime: ContainerRuntime;
  /** Host pid of the container's oldest process (earliest start time): its init, the one to join. */
  pid: number;
  /** Host pids of every process in the container, ascending. */
  pids: number[];
  /** The container's cgroup path, as /proc/PID/cgroup shows it from our cgroup namespace. */
  cgroup: string;
  /** Kubernetes pod UID and QoS class, for containers of a pod. */
  pod?: { uid: string; qos: PodQos };
}

function startTime(procRoot: string, pid: number): number {
  try {
    const stat = readText(`${procRoot}/${pid}/stat`);
    // Field 22 (starttime) counted after the ')' that ends comm, which may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[19]);
    return Number.isFinite(value) ? value : Infinity;
  } catch {
    return Infinity; // no stat (gone, or a captured tree): order by pid alone
  }
}

/**
 * Lists the containers on this host by scanning `procRoot`/PID/cgroup for every process: docker,
 * containerd, cri-o, podman, lxc and systemd-nspawn containers and Kubernetes pods (pod UID and QoS
 * class), in the cgroupfs and systemd layouts of cgroup v1, v2 and hybrid hosts (see
 * `parseContainerCgroup`). A process that exits during the scan, or whose cgroup file cannot be
 * read or parsed, is skipped. Sorted by runtime, then id. Synchronous: reads pseudo-files only.
 *
 * @throws NsError when `procRoot` itself cannot be listed
 */
export function listContainers(options: RootOptions = {}): Container[] {
  const procRoot = options.procRoot ?? '/proc';
  let names: string[];
  try {
    names = readdirSync(procRoot);
  } catch (err) {
    throw NsError.fromNodeError(err as NodeJS.ErrnoException, { syscall: 'scandir', path: procRoot });
  }
  const byId = new Map<string, Omit<Container, 'pid'>>();
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    let entries;
    try {
      entries = parseProcCgroup(readText(`${procRoot}/${pid}/cgroup`, pid));
    } catch {
      continue;
    }
    // The cgroup2 line first: on hybrid hosts it is the one systemd and the runtimes keep current.
    entries.sort((a, b) => (a.hierarchyId === 0 ? -1 : b.hierarchyId === 0 ? 1 : 0));
    for (const entry of entries) {
      const match = parseContainerCgroup(entry.path);
      if (!match) continue;
      const key = `${match.runtime}/${match.id}`;
      let found = byId.get(key);
      if (!found) {
        found = { id: match.id, runtime: match.runtime, pids: [], cgroup: match.cgroup };
        if (match.pod) found.pod = match.pod;
        byId.set(key, found);
      }
      found.pids.push(pid);
      break;
    }
  }
  const out: Container[] = [];
  for (const c of byId.values()) {
    c.pids.sort((a, b) => a - b);
    let oldest = c.pids[0]!;
    let oldestStart = startTime(procRoot, oldest);
    for (const pid of c.pids.slice(1)) {
      const s = startTime(procRoot, pid);
      if (s < oldestStart) {
        oldest = pid;
        oldestStart = s;
      }
    }
    const container: Container = { id: c.id, runtime: c.runtime, pid: oldest, pids: c.pids, cgroup: c.cgroup };
    if (c.pod) container.pod = c.pod;
    out.push(container);
  }
  return out.sort((a, b) => (a.runtime === b.runtime ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.runtime < b.runtime ? -1 : 1));
}

/**
 * Finds one container by its id or a unique prefix of it (an exact id wins over longer ids it
 * prefixes).
 *
 * @throws NsError 'ENSJOIN_NO_CONTAINER' when nothing matches; 'ENSJOIN_AMBIGUOUS_CONTAINER' when
 *   the prefix matches several containers (the message lists them)
 */
export function findContainer(idOrPrefix: string, options: RootOptions = {}): Container {
  const all = listContainers(options);
  const exact = all.filter((c) => c.id === idOrPrefix);
  const matches = exact.length > 0 ? exact : all.filter((c) => c.id.startsWith(idOrPrefix));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new NsError('ENSJOIN_NO_CONTAINER', `no container matches '${idOrPrefix}': none of the ${all.length} container${all.length === 1 ? '' : 's'} on this host has that id or id prefix`);
  }
  const list = matches.slice(0, 10).map((c) => `${c.id.slice(0, 12)} (${c.runtime}, pid ${c.pid})`).join(', ');
  throw new NsError('ENSJOIN_AMBIGUOUS_CONTAINER', `container id prefix '${idOrPrefix}' matches ${matches.length} containers: ${list}${matches.length > 10 ? ', ...' : ''}; give more characters`);
}

setContainerResolver((idOrPrefix, roots) => findContainer(idOrPrefix, roots).pid);
