// Rules on the container's mount table: what of /proc and /sys it can write, which host paths and
// runtime sockets it has, and mounts that propagate back to the host.
import type { MountInfo } from '../../parse/mountinfo.js';
import type { ContainerFacts } from '../facts.js';
import type { Finding, Severity } from '../types.js';
import { finding, worst } from './finding.js';
import { hostPathOf, isWithin, rebase } from './host-path.js';

const rw = (m: MountInfo): boolean => m.mountOptions.includes('rw');
const at = (facts: ContainerFacts): string => `/proc/${facts.pid}/mountinfo`;

// Writing /proc/sys as the host's root reaches host-wide settings (kernel.core_pattern runs a
// program on the host); /proc/sysrq-trigger reboots it.
/** The /proc paths docker, podman and containerd mount read-only (runc's readonlyPaths defaults). */
export const READONLY_PROC = ['/proc/sys', '/proc/sysrq-trigger', '/proc/bus', '/proc/fs', '/proc/irq'];
/** The /proc paths they mask with an empty file or directory (maskedPaths defaults). */
export const MASKED_PROC = [
  '/proc/kcore',
  '/proc/keys',
  '/proc/timer_list',
  '/proc/sched_debug',
  '/proc/latency_stats',
  '/proc/timer_stats',
  '/proc/acpi',
  '/proc/scsi',
  '/proc/asound',
];
const WRITE_TO_HOST = new Set(['/proc/sys', '/proc/sysrq-trigger']);

interface Hit {
  mount: MountInfo;
  severity: Severity;
  line: string;
  below: number;
}

/**
 * Keeps the topmost of nested hits: a recursive bind (`-v /:/host`) brings every host submount
 * along, and the mount at its top says it all. The nested ones are counted and raise its severity.
 */
function collapse(hits: Hit[]): Hit[] {
  // Each mount point's ancestors are looked up in a map, so thousands of mounts stay linear.
  const kept = new Map<string, Hit>();
  for (const h of [...hits].sort((a, b) => a.mount.mountPoint.length - b.mount.mountPoint.length)) {
    let top: Hit | undefined;
    for (let dir = h.mount.mountPoint; !top && dir !== '/' && dir !== '';) {
      dir = dir.slice(0, dir.lastIndexOf('/')) || '/';
      top = kept.get(dir);
    }
    if (!top) {
      if (!kept.has(h.mount.mountPoint)) kept.set(h.mount.mountPoint, { ...h });
      continue;
    }
    top.below++;
    top.severity = worst([top.severity, h.severity]);
  }
  return [...kept.values()];
}

const lineOf = (h: Hit): string => (h.below ? `${h.line}, and ${h.below} mount${h.below === 1 ? '' : 's'} below it` : h.line);

/** `unmasked-proc`: /proc paths left writable or unmasked that runtimes normally cover. */
export function unmaskedProc(facts: ContainerFacts): Finding | undefined {
  const proc = facts.mounts.filter((m) => m.mountPoint === '/proc' && m.fsType === 'proc').pop();
  if (!proc) return undefined;
  // The deepest mount at or above a path (the last of equals: mounted over the others) is the one
  // the container sees there.
  const covering = (path: string): MountInfo | undefined => {
    let best: MountInfo | undefined;
    for (const m of facts.mounts) {
      if (isWithin(path, m.mountPoint) && isWithin(m.mountPoint, '/proc') && (!best || m.mountPoint.length >= best.mountPoint.length))
        best = m;
    }
    return best;
  };
  const exposed: { path: string; severity: Severity; why: string }[] = [];
  for (const path of READONLY_PROC) {
    if (!facts.procPaths.includes(path)) continue;
    const m = covering(path);
    if (m && m.fsType === 'proc' && rw(m))
      exposed.push({
        path,
        severity: WRITE_TO_HOST.has(path) ? 'high' : 'medium',
        why: `writable (under the rw proc mount at ${m.mountPoint})`,
      });
  }
  for (const path of MASKED_PROC) {
    if (!facts.procPaths.includes(path)) continue;
    const m = covering(path);
    if (m && m.fsType === 'proc') exposed.push({ path, severity: 'medium', why: 'not masked' });
  }
  if (exposed.length === 0) return undefined;
  return finding('unmasked-proc', worst(exposed.map((e) => e.severity)), `/proc is not masked: ${exposed.map((e) => e.path).join(', ')}`, [
    ...exposed.map((e) => `${at(facts)}: ${e.path} ${e.why}`),
  ]);
}

/** `writable-sys`: sysfs or a cgroup filesystem mounted read-write inside the container. */
export function writableSys(facts: ContainerFacts): Finding | undefined {
  const hits: Hit[] = [];
  for (const m of facts.mounts) {
    if (!rw(m)) continue;
    // sysfs: /sys/kernel/uevent_helper, device and firmware knobs; v1 cgroupfs: release_agent runs a
    // program on the host (CVE-2022-0492). A cgroup2 mount only reaches the container's own subtree
    // when the container has its own cgroup namespace, so it is less.
    const why =
      m.fsType === 'sysfs'
        ? 'sysfs read-write'
        : m.fsType === 'cgroup'
          ? 'cgroup v1 read-write (release_agent)'
          : m.fsType === 'cgroup2'
            ? 'cgroup2 read-write'
            : undefined;
    if (why)
      hits.push({ mount: m, severity: m.fsType === 'cgroup2' ? 'medium' : 'high', line: `${at(facts)}: ${m.mountPoint} ${why}`, below: 0 });
  }
  if (hits.length === 0) return undefined;
  const kept = collapse(hits);
  return finding(
    'writable-sys',
    worst(kept.map((h) => h.severity)),
    `writable kernel interfaces: ${[...new Set(hits.map((h) => h.mount.fsType))].join(', ')}`,
    kept.map(lineOf),
  );
}

// Kernel filesystems the runtime mounts itself at their usual places: with a shared namespace they
// are the host's superblock (sysfs of the host network namespace, the host's cgroup hierarchies),
// which is what host-namespace reports, not a mount the user asked for.
function runtimeMount(m: MountInfo): boolean {
  switch (m.fsType) {
    case 'proc':
      return isWithin(m.mountPoint, '/proc');
    case 'sysfs':
      return isWithin(m.mountPoint, '/sys');
    case 'cgroup':
    case 'cgroup2':
      return isWithin(m.mountPoint, '/sys/fs/cgroup');
    case 'mqueue':
      return m.mountPoint === '/dev/mqueue';
    case 'devpts':
      return m.mountPoint === '/dev/pts';
    default:
      return false;
  }
}

// Host directories whose contents give the host away (CIS 5.6's list and the runtimes' state). Below
// /proc, /sys and /boot every path counts; the others count when mounted whole.
const SENSITIVE = [
  '/',
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/usr',
  '/lib',
  '/lib64',
  '/bin',
  '/sbin',
  '/root',
  '/home',
  '/var',
  '/run',
  '/var/run',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/var/lib/containers',
  '/var/lib/kubelet',
  '/var/log',
];
const SENSITIVE_TREES = ['/proc', '/sys', '/boot'];
const READ_ONLY_STILL_HIGH = new Set(['/', '/etc', '/proc', '/root']);

/** The host path of each container mount that has one (bind mounts of host directories and files). */
export function hostBinds(facts: ContainerFacts): { mount: MountInfo; hostPath: string }[] {
  const out: { mount: MountInfo; hostPath: string }[] = [];
  for (const m of facts.mounts) {
    if (runtimeMount(m)) continue;
    const hostPath = hostPathOf(m, facts.hostMounts);
    if (hostPath !== undefined) out.push({ mount: m, hostPath });
  }
  return out;
}

/** `sensitive-host-mount` (CIS 5.6): host system directories mounted into the container. */
export function sensitiveHostMount(facts: ContainerFacts): Finding | undefined {
  const hits: Hit[] = [];
  for (const { mount, hostPath } of hostBinds(facts)) {
    const sensitive = SENSITIVE.includes(hostPath) || SENSITIVE_TREES.some((t) => isWithin(hostPath, t));
    if (!sensitive) continue;
    const writable = rw(mount);
    const severity: Severity = writable ? 'critical' : READ_ONLY_STILL_HIGH.has(hostPath) ? 'high' : 'medium';
    hits.push({
      mount,
      severity,
      below: 0,
      line: `${at(facts)}: ${mount.mountPoint} is the host's ${hostPath} (${writable ? 'rw' : 'ro'}, ${mount.fsType} ${mount.major}:${mount.minor} root ${mount.root})`,
    });
  }
  if (hits.length === 0) return undefined;
  const kept = collapse(hits);
  return finding(
    'sensitive-host-mount',
    worst(kept.map((h) => h.severity)),
    'host system directories are mounted in the container',
    kept.map(lineOf),
    ['5.6'],
  );
}

/** `runtime-socket` (CIS 5.32): a container runtime's API socket reachable through a mount. */
export function runtimeSocket(facts: ContainerFacts): Finding | undefined {
  const lines: string[] = [];
  for (const { mount, hostPath } of hostBinds(facts)) {
    for (const socket of facts.hostSockets) {
      if (!isWithin(socket, hostPath)) continue;
      lines.push(`${at(facts)}: ${rebase(socket, hostPath, mount.mountPoint)} in the container is the host's ${socket}`);
    }
  }
  if (lines.length === 0) return undefined;
  return finding(
    'runtime-socket',
    'critical',
    "a container runtime's socket is reachable: whoever talks to it starts privileged containers",
    lines,
    ['5.32'],
  );
}

/** `shared-propagation` (CIS 5.20): a mount in the same shared peer group as a host mount. */
export function sharedPropagation(facts: ContainerFacts): Finding | undefined {
  const hostGroups = new Set(facts.hostMounts.flatMap((m) => m.optionalFields.filter((f) => f.startsWith('shared:'))));
  const lines: string[] = [];
  for (const m of facts.mounts) {
    const group = m.optionalFields.find((f) => f.startsWith('shared:'));
    if (group && hostGroups.has(group))
      lines.push(`${at(facts)}: ${m.mountPoint} ${group}, the peer group of a host mount: mounts made on either side appear on the other`);
  }
  if (lines.length === 0) return undefined;
  return finding('shared-propagation', 'medium', 'mount propagation is shared with the host', lines, ['5.20']);
}
