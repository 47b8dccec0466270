// Reading a container's facts from the host: /proc/PID/{status,ns,mountinfo,attr}, the reader's own
// mountinfo, the container's cgroup files and a few host files. Nothing is run in the container and
// nothing is read through its root (/proc/PID/root), so no path it controls is followed.
import { existsSync, lstatSync, readdirSync, realpathSync } from 'node:fs';
import { cgroupOf, readMounts } from '../cgroup/locate.js';
import { readCgroupStats } from '../cgroup/stats.js';
import { readText, readTextIfExists } from '../io.js';
import { namespacesOf, ownNamespaces, type NamespaceType } from '../namespaces.js';
import type { ContainerRuntime } from '../parse/container-id.js';
import { parseCpuList } from '../parse/cpu-list.js';
import { parseMountinfo } from '../parse/mountinfo.js';
import { parseProcStatus } from '../parse/proc-status.js';
import type { RootOptions } from '../targets.js';
import { cpuView } from '../views.js';
import type { ContainerFacts, LimitFact } from './facts.js';
import { MASKED_PROC, READONLY_PROC } from './rules/mounts.js';

function roots(o: RootOptions): { procRoot: string; sysRoot: string } {
  return { procRoot: o.procRoot ?? '/proc', sysRoot: o.sysRoot ?? '/sys' };
}

const inodes = (ns: Partial<Record<NamespaceType, { inode: number }>>): Partial<Record<NamespaceType, number>> =>
  Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, v.inode]));

/** The host's namespaces: init's (pid 1) when readable, else our own (we run on the host). */
export function hostNamespaceIds(options: RootOptions = {}): { ids: Partial<Record<NamespaceType, number>>; from: string } {
  const { procRoot } = roots(options);
  try {
    return { ids: inodes(namespacesOf(1, options)), from: `${procRoot}/1/ns` };
  } catch {
    return { ids: inodes(ownNamespaces(options)), from: `${procRoot}/self/ns` };
  }
}

function trimmed(path: string): string | undefined {
  try {
    return readTextIfExists(path)?.replace(/\0/g, '').trim();
  } catch {
    return undefined; // EACCES, EINVAL (no LSM provides attr/current): not known
  }
}

/** The major LSMs active on the host, and where that was read. */
export function hostLsms(options: RootOptions = {}): { host: string[]; hostFrom: string } {
  const { sysRoot } = roots(options);
  const list = trimmed(`${sysRoot}/kernel/security/lsm`);
  if (list !== undefined) {
    return { host: list.split(',').filter((l) => l === 'apparmor' || l === 'selinux'), hostFrom: `${sysRoot}/kernel/security/lsm` };
  }
  // securityfs not mounted: the modules' own sysfs and selinuxfs say whether they are on.
  const host: string[] = [];
  if (trimmed(`${sysRoot}/module/apparmor/parameters/enabled`) === 'Y') host.push('apparmor');
  if (existsSync(`${sysRoot}/fs/selinux/enforce`)) host.push('selinux');
  return { host, hostFrom: `${sysRoot}/module/apparmor/parameters/enabled and ${sysRoot}/fs/selinux (securityfs is not mounted)` };
}

const SOCKETS = [
  '/run/docker.sock',
  '/var/run/docker.sock',
  '/run/containerd/containerd.sock',
  '/run/containerd/containerd.sock.ttrpc',
  '/run/docker/containerd/containerd.sock',
  '/run/crio/crio.sock',
  '/run/podman/podman.sock',
  '/run/k3s/containerd/containerd.sock',
  '/run/cri-dockerd.sock',
  '/run/buildkit/buildkitd.sock',
];

/** Container runtime API sockets present on the host, as real paths (rootless ones under /run/user too). */
export function hostRuntimeSockets(): string[] {
  const candidates = [...SOCKETS];
  try {
    for (const uid of readdirSync('/run/user')) candidates.push(`/run/user/${uid}/docker.sock`, `/run/user/${uid}/podman/podman.sock`);
  } catch {
    /* no /run/user */
  }
  const out = new Set<string>();
  for (const path of candidates) {
    try {
      const real = realpathSync(path);
      if (lstatSync(real).isSocket()) out.add(real);
    } catch {
      /* absent */
    }
  }
  return [...out].sort();
}

function limit(file: string | undefined, value: number | null | undefined, atRoot: boolean): LimitFact | undefined {
  if (file === undefined) return undefined;
  // The root cgroup has no limit files (and no usage files: the snapshot leaves the field out).
  if (value === undefined) return atRoot ? { limit: null, file, value: '(the root cgroup: no limit file)' } : undefined;
  return { limit: value, file, value: trimmed(file) ?? (atRoot ? '(the root cgroup: no limit file)' : '(absent)') };
}

function cgroupFacts(pid: number, options: RootOptions): Pick<ContainerFacts, 'devices' | 'limits'> {
  const { sysRoot } = roots(options);
  let loc;
  try {
    loc = cgroupOf(pid, options);
  } catch {
    return { limits: {} };
  }
  const out: Pick<ContainerFacts, 'devices' | 'limits'> = { limits: {} };
  const devices = loc.controllers['devices'];
  if (devices !== undefined) {
    const file = `${devices}/devices.list`;
    const list = trimmed(file);
    if (list !== undefined) out.devices = { version: 1, file, list };
  } else if (loc.unified !== undefined) {
    out.devices = { version: 2 };
  }
  let stats;
  try {
    stats = readCgroupStats(loc, options);
  } catch {
    return out;
  }
  // Each controller's own file, under its v1 name or, where the controller is the cgroup2 one, its v2 name.
  const file = (c: string, v1: string, v2: string): { path?: string; atRoot: boolean } => {
    const dir = loc.controllers[c] ?? loc.unified;
    if (dir === undefined) return { atRoot: false };
    const unified = dir === loc.unified;
    return { path: `${dir}/${unified ? v2 : v1}`, atRoot: dir === (unified ? loc.unifiedMountRoot : loc.mountRoots[c]) };
  };
  const m = file('memory', 'memory.limit_in_bytes', 'memory.max');
  const memory = limit(m.path, stats.memory?.limit, m.atRoot);
  if (memory) out.limits.memory = memory;
  const p = file('pids', 'pids.max', 'pids.max');
  const pids = limit(p.path, stats.pids?.limit, p.atRoot);
  if (pids) out.limits.pids = pids;
  const c = file('cpu', 'cpu.cfs_quota_us', 'cpu.max');
  const cpu = limit(c.path, stats.cpu?.limitCores, c.atRoot);
  if (cpu) {
    try {
      const view = cpuView(pid, options);
      const online = readText(`${sysRoot}/devices/system/cpu/online`);
      out.limits.cpu = { ...cpu, cpuset: view.cpuset.length, hostCpus: parseCpuList(online).length };
    } catch {
      /* no cpuset figures: leave CPU unknown */
    }
  }
  return out;
}

/**
 * Reads everything the container rules need about process `pid`.
 *
 * @throws NsError when the process's status, namespaces or mountinfo cannot be read (ESRCH when it
 *   is gone, EACCES without the rights); ParseError for a malformed kernel file
 */
export function readContainerFacts(pid: number, runtime: ContainerRuntime | undefined, options: RootOptions = {}): ContainerFacts {
  const { procRoot } = roots(options);
  const status = parseProcStatus(readText(`${procRoot}/${pid}/status`, pid), `${procRoot}/${pid}/status`);
  const namespaces = inodes(namespacesOf(pid, options));
  const host = hostNamespaceIds(options);
  const mounts = parseMountinfo(readText(`${procRoot}/${pid}/mountinfo`, pid), `${procRoot}/${pid}/mountinfo`);
  const lsm = hostLsms(options);
  const labelFile =
    lsm.host.includes('apparmor') && existsSync(`${procRoot}/${pid}/attr/apparmor/current`)
      ? `${procRoot}/${pid}/attr/apparmor/current`
      : `${procRoot}/${pid}/attr/current`;
  const label = trimmed(labelFile);
  const facts: ContainerFacts = {
    pid,
    capLastCap: Number(readText(`${procRoot}/sys/kernel/cap_last_cap`).trim()),
    status,
    namespaces,
    hostNamespaces: host.ids,
    hostNamespacesFrom: host.from,
    lsm: { ...lsm, label: label === undefined || label === '' ? null : label, labelFile },
    mounts,
    hostMounts: readMounts(options),
    procPaths: [...READONLY_PROC, ...MASKED_PROC].filter((p) => existsSync(`${procRoot}${p.slice('/proc'.length)}`)),
    hostSockets: hostRuntimeSockets(),
    ...cgroupFacts(pid, options),
  };
  if (runtime !== undefined) facts.runtime = runtime;
  return facts;
}
