// Rules on the container's cgroup: which devices it may open, and whether memory, pids and CPU
// are limited at all.
import { capabilityBits, capabilityName } from '../capabilities.js';
import type { ContainerFacts, LimitFact } from '../facts.js';
import type { Finding, Unknown } from '../types.js';
import { finding } from './finding.js';

/**
 * `all-devices` (CIS 5.18): the v1 devices controller allows every device (`a *:* rwm`) or every
 * block device. With CAP_MKNOD (in docker's default set) the container can make a node for the
 * host's disk and read or write it raw. On cgroup v2 the rules are a BPF program attached to the
 * cgroup, which the files do not show: reported as unknown.
 */
export function allDevices(facts: ContainerFacts): Finding | Unknown | undefined {
  const d = facts.devices;
  if (!d) return { id: 'all-devices', reason: 'the devices controller of this process was not found' };
  if (d.version === 2)
    return {
      id: 'all-devices',
      reason: 'cgroup v2 keeps device rules in a BPF program (BPF_CGROUP_DEVICE) attached to the cgroup; its files do not show them',
    };
  const broad = d.list.split('\n').filter((line) => {
    const [type, node, access] = line.trim().split(/\s+/);
    if (!type || !access) return false;
    return (type === 'a' || (type === 'b' && node === '*:*')) && /[rw]/.test(access);
  });
  if (broad.length === 0) return undefined;
  const mknod = capabilityBits(facts.status.capBnd).map(capabilityName).includes('MKNOD');
  return finding(
    'all-devices',
    mknod ? 'critical' : 'high',
    `every ${broad.some((l) => l.startsWith('a')) ? '' : 'block '}device is allowed${mknod ? ", and CAP_MKNOD can make a node for the host's disk" : ''}`,
    broad.map((l) => `${d.file}: ${l.trim()}`),
    ['5.18'],
  );
}

function limitFinding(
  id: string,
  severity: 'low' | 'medium',
  what: string,
  fact: LimitFact | undefined,
  cis: string,
): Finding | Unknown | undefined {
  if (!fact) return { id, reason: `no ${what} controller found for this process` };
  if (fact.limit !== null) return undefined;
  return finding(id, severity, `no ${what} limit on the container's cgroup or its ancestors`, [`${fact.file}: ${fact.value}`], [cis]);
}

/** `no-memory-limit` (CIS 5.11). */
export function noMemoryLimit(facts: ContainerFacts): Finding | Unknown | undefined {
  return limitFinding('no-memory-limit', 'medium', 'memory', facts.limits.memory, '5.11');
}

/** `no-pids-limit` (CIS 5.29): a fork bomb takes the host's pid space. */
export function noPidsLimit(facts: ContainerFacts): Finding | Unknown | undefined {
  return limitFinding('no-pids-limit', 'medium', 'pids', facts.limits.pids, '5.29');
}

/** `no-cpu-limit` (CIS 5.12): neither a CFS quota nor a cpuset smaller than the host's CPUs. */
export function noCpuLimit(facts: ContainerFacts): Finding | Unknown | undefined {
  const cpu = facts.limits.cpu;
  if (cpu && cpu.limit === null && cpu.cpuset < cpu.hostCpus) return undefined;
  const found = limitFinding('no-cpu-limit', 'low', 'CPU', cpu, '5.12');
  if (found && 'evidence' in found && cpu) found.evidence.push(`cpuset: ${cpu.cpuset} of the host's ${cpu.hostCpus} CPUs`);
  return found;
}
