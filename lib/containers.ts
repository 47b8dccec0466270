// Container discovery from /proc: every process's /proc/PID/cgroup is matched against the names
// runtimes give their cgroups (parse/container-id.ts); the runtimes' own state files then name each
// container (lib/runtimes/). No runtime socket. lib/targets.ts resolves `{ container }` and `{ pod }`
// targets with findContainer and findPodContainer (lib/container-find.ts).
import { readdirSync } from 'node:fs';
import { NsError } from './errors.js';
import { readText } from './io.js';
import { parseContainerCgroup, type ContainerRuntime, type PodQos } from './parse/container-id.js';
import { parseProcCgroup } from './parse/proc-cgroup.js';
import { parseProcStat } from './parse/proc-stat.js';
import { lookupMeta } from './runtimes/lookup.js';
import { runtimeRoots, type RuntimeRoots } from './runtimes/roots.js';
import { describe } from './describe.js';
import type { RootOptions } from './target-types.js';

export type { ContainerRuntime, PodQos } from './parse/container-id.js';
export type { RuntimeRoots } from './runtimes/roots.js';

/** A container found on this host, from `listContainers()`. */
export interface Container {
  /** Container id (64 hex digits for docker, containerd, cri-o, podman; the name for lxc and systemd-nspawn). */
  id: string;
  /** From the cgroup path, or, where that names no runtime (Kubernetes' cgroupfs layout), from the runtime's bundle. */
  runtime: ContainerRuntime;
  /** Host pid of the container's oldest process (earliest start time): its init, the one to join. */
  pid: number;
  /** Host pids of every process in the container, ascending. */
  pids: number[];
  /** The container's cgroup path, as /proc/PID/cgroup shows it from our cgroup namespace. */
  cgroup: string;
  /**
   * The name its users know it by: docker's and podman's container name, ctr's id, nerdctl's name,
   * the Kubernetes container name for a pod's container (none for a pod's sandbox). Read from the
   * runtime's state files; control characters escaped as \xNN.
   */
  name?: string;
  /** The image as the user named it (e.g. 'nginx:1.25'), where the runtime records it. */
  image?: string;
  /**
   * Kubernetes pod: UID and QoS class from the cgroup path; name and namespace from the runtime's
   * annotations or labels, or else the kubelet's log directories.
   */
  pod?: { uid: string; qos: PodQos; name?: string; namespace?: string };
  /** true for a pod's sandbox (pause) container. */
  sandbox?: boolean;
}

/** Options of `listContainers()`, `findContainer()` and the container targets. */
export interface ListContainersOptions extends RootOptions {
  /**
   * Where the runtimes keep their state (each key optional; defaults: DEFAULT_RUNTIME_ROOTS), or
   * `false` to read none and list containers from /proc alone, without names, images or pod names.
   */
  runtimeRoots?: Partial<RuntimeRoots> | false;
}

function checkOptions(options: unknown): { procRoot: string; roots: RuntimeRoots | false } {
  if (options === undefined) return { procRoot: '/proc', roots: runtimeRoots(undefined) };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`options must be an object, got ${describe(options)}`);
  }
  const o = options as Record<string, unknown>;
  for (const key of ['procRoot', 'sysRoot'] as const) {
    if (o[key] !== undefined && (typeof o[key] !== 'string' || o[key] === ''))
      throw new TypeError(`options.${key} must be a non-empty string, got ${describe(o[key])}`);
  }
  return { procRoot: (o['procRoot'] as string | undefined) ?? '/proc', roots: runtimeRoots(o['runtimeRoots']) };
}

/** Adds what the runtimes' state files say to each container (in place). */
function name(containers: Container[], roots: RuntimeRoots, procRoot: string): void {
  const metas = lookupMeta(
    containers.map((c) =>
      c.pod ? { id: c.id, runtime: c.runtime, pids: c.pids, podUid: c.pod.uid } : { id: c.id, runtime: c.runtime, pids: c.pids },
    ),
    roots,
    procRoot,
  );
  for (const c of containers) {
    const meta = metas.get(`${c.runtime}/${c.id}`);
    if (!meta) continue;
    if (c.runtime === 'unknown' && meta.runtime) c.runtime = meta.runtime;
    if (meta.name !== undefined) c.name = meta.name;
    if (meta.image !== undefined) c.image = meta.image;
    if (c.pod && meta.pod) {
      if (meta.pod.name !== undefined) c.pod.name = meta.pod.name;
      if (meta.pod.namespace !== undefined) c.pod.namespace = meta.pod.namespace;
    }
    if (meta.sandbox) c.sandbox = true;
  }
}

/** When `pid` started (clock ticks since boot); Infinity when unknown. */
function startTime(procRoot: string, pid: number): number {
  try {
    // The container names its processes: parseProcStat reads past whatever the name holds.
    return parseProcStat(readText(`${procRoot}/${pid}/stat`, pid), `${procRoot}/${pid}/stat`).startTime;
  } catch {
    return Infinity; // no stat (gone, or a captured tree), or not parsable: order by pid alone
  }
}

/**
 * Lists the containers on this host by scanning `procRoot`/PID/cgroup for every process: docker,
 * containerd, cri-o, podman, lxc and systemd-nspawn containers and Kubernetes pods (pod UID and QoS
 * class), in the cgroupfs and systemd layouts of cgroup v1, v2 and hybrid hosts (see
 * `parseContainerCgroup`); libvirt's virtual machines are not containers and are left out. Then
 * names, images and pod names come from the runtimes' state files under `runtimeRoots` (cached per
 * container id while it lives). A process that exits during the scan, or whose cgroup file cannot
 * be read or parsed, is skipped; a container whose state files vanish is listed without a name.
 * Sorted by runtime, then id. Synchronous: reads pseudo-files and small state files only.
 *
 * @throws TypeError for malformed options; NsError when `procRoot` itself cannot be listed
 */
export function listContainers(options: ListContainersOptions = {}): Container[] {
  const { procRoot, roots } = checkOptions(options);
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
      // The same id in two cgroups: one is nested inside another container, made by whoever runs
      // there (a container may create cgroups below its own). The outer one is the runtime's.
      if (found && found.cgroup !== match.cgroup) {
        if (match.cgroup.length >= found.cgroup.length) break;
        found = undefined;
      }
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
    if (c.pod) container.pod = { ...c.pod };
    out.push(container);
  }
  if (roots) name(out, roots, procRoot);
  return out.sort((a, b) => (a.runtime === b.runtime ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.runtime < b.runtime ? -1 : 1));
}
