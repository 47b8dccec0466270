// Capability sets: the names of the bits, each runtime's default set, and how much an added
// capability gives away. The full set is 0..cap_last_cap as the running kernel says
// (/proc/sys/kernel/cap_last_cap): a fixed mask such as 0x3fffffffff misses the bits added since
// (CAP_PERFMON 38, CAP_BPF 39, CAP_CHECKPOINT_RESTORE 40 in 5.8 and 5.9).
import type { ContainerRuntime } from '../parse/container-id.js';
import type { Severity } from './types.js';

/** Capability names by bit number (include/uapi/linux/capability.h), without the CAP_ prefix. */
export const CAPABILITY_NAMES: readonly string[] = [
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'KILL',
  'SETGID',
  'SETUID',
  'SETPCAP',
  'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_ADMIN',
  'NET_RAW',
  'IPC_LOCK',
  'IPC_OWNER',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_CHROOT',
  'SYS_PTRACE',
  'SYS_PACCT',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_NICE',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'MKNOD',
  'LEASE',
  'AUDIT_WRITE',
  'AUDIT_CONTROL',
  'SETFCAP',
  'MAC_OVERRIDE',
  'MAC_ADMIN',
  'SYSLOG',
  'WAKE_ALARM',
  'BLOCK_SUSPEND',
  'AUDIT_READ',
  'PERFMON',
  'BPF',
  'CHECKPOINT_RESTORE',
];

/** The name of a capability bit ('SYS_ADMIN'), or 'CAP_41' for one newer than this table. */
export function capabilityName(bit: number): string {
  return CAPABILITY_NAMES[bit] ?? `CAP_${bit}`;
}

/** The bits set in a /proc/PID/status capability mask (hex, as `CapEff:` prints it), ascending. */
export function capabilityBits(hexMask: string): number[] {
  const mask = BigInt(`0x${hexMask}`);
  const out: number[] = [];
  for (let bit = 0; bit < 64; bit++) if ((mask >> BigInt(bit)) & 1n) out.push(bit);
  return out;
}

const DOCKER = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
];

/**
 * Each runtime's default capability set. docker (moby's oci/caps defaults, the 14 that
 * docker-bench-security's check 5.4 allows) and containerd (its oci.WithDefaultSpec, also the CRI
 * plugin's) agree; podman 4 and later leave out MKNOD, NET_RAW and AUDIT_WRITE (containers.conf
 * default_capabilities); cri-o keeps 9. A runtime without its own entry is compared with docker's.
 */
export const DEFAULT_CAPABILITIES: Readonly<Partial<Record<ContainerRuntime, readonly string[]>>> = {
  docker: DOCKER,
  containerd: DOCKER,
  podman: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'],
  'cri-o': ['CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'SETGID', 'SETUID', 'SETPCAP', 'NET_BIND_SERVICE', 'KILL'],
};

/** The default set to compare a container of `runtime` with, and which runtime it is (docker when unknown). */
export function baselineFor(runtime: ContainerRuntime | undefined): { runtime: string; names: readonly string[] } {
  const own = runtime === undefined ? undefined : DEFAULT_CAPABILITIES[runtime];
  return own ? { runtime: runtime!, names: own } : { runtime: 'docker', names: DOCKER };
}

// Capabilities that reach past the container: kernel modules, raw IO and devices, the mount and
// namespace calls of SYS_ADMIN, other processes' memory, any file by handle (the "shocker" escape),
// the LSM policy, kernel BPF and perf. The host's clock, reboot, log and network config next.
const HIGH = new Set([
  'SYS_ADMIN',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_PTRACE',
  'DAC_READ_SEARCH',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'BPF',
  'PERFMON',
  'SYS_BOOT',
]);
const MEDIUM = new Set([
  'NET_ADMIN',
  'SYS_TIME',
  'SYSLOG',
  'SYS_RESOURCE',
  'LINUX_IMMUTABLE',
  'AUDIT_CONTROL',
  'IPC_OWNER',
  'CHECKPOINT_RESTORE',
  'SYS_TTY_CONFIG',
]);

/** How much one added capability gives away. */
export function capabilitySeverity(name: string): Severity {
  if (HIGH.has(name)) return 'high';
  if (MEDIUM.has(name)) return 'medium';
  return 'low';
}
