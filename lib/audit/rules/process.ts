// Rules on the process itself (/proc/PID/status, its LSM label): capabilities, seccomp,
// no_new_privs, uid, confinement.
import { baselineFor, capabilityBits, capabilityName, capabilitySeverity } from '../capabilities.js';
import type { ContainerFacts } from '../facts.js';
import type { Finding, Unknown } from '../types.js';
import { finding, worst } from './finding.js';

/** The capabilities the container may hold: its bounding set (what any of its processes can ever get). */
export function boundingNames(facts: ContainerFacts): string[] {
  return capabilityBits(facts.status.capBnd)
    .filter((b) => b <= facts.capLastCap)
    .map(capabilityName);
}

function statusFile(facts: ContainerFacts): string {
  return `/proc/${facts.pid}/status`;
}

/** `added-capabilities`: bounding-set capabilities beyond the runtime's default set (CIS 5.4). */
export function addedCapabilities(facts: ContainerFacts): Finding | undefined {
  const base = baselineFor(facts.runtime);
  const added = boundingNames(facts).filter((n) => !base.names.includes(n));
  if (added.length === 0) return undefined;
  const severity = worst(added.map(capabilitySeverity));
  return finding(
    'added-capabilities',
    severity,
    `capabilities beyond ${base.runtime}'s default set: ${added.join(', ')}`,
    [
      `${statusFile(facts)}: CapBnd ${facts.status.capBnd}, CapEff ${facts.status.capEff}`,
      `added: ${added.map((n) => `${n} (${capabilitySeverity(n)})`).join(', ')}`,
      `${base.runtime}'s default (${base.names.length}): ${base.names.join(' ')}`,
    ],
    ['5.4'],
  );
}

/**
 * How many of the kernel's capabilities make "nearly all": 90%. A runtime's "ALL" is the list it
 * was built with (docker 20.10 stops at AUDIT_READ, 37, so PERFMON, BPF and CHECKPOINT_RESTORE are
 * not in it on a kernel whose cap_last_cap is 40), and a host whose own bounding set lacks one
 * (SYS_RESOURCE here) cannot grant it; neither makes such a container less privileged.
 */
export const PRIVILEGED_SHARE = 0.9;

/**
 * `privileged`: at least 90% of the 0..cap_last_cap capabilities, SYS_ADMIN among them, together
 * with one of the other walls gone (an unmasked /proc, a writable /sys, every device allowed).
 */
export function privileged(facts: ContainerFacts, walls: Finding[]): Finding | undefined {
  const names = boundingNames(facts);
  const total = facts.capLastCap + 1;
  const missing: string[] = [];
  for (let bit = 0; bit < total; bit++) if (!names.includes(capabilityName(bit))) missing.push(capabilityName(bit));
  if (names.length < Math.ceil(PRIVILEGED_SHARE * total) || !names.includes('SYS_ADMIN') || walls.length === 0) return undefined;
  return finding(
    'privileged',
    'critical',
    'privileged: nearly every capability, with the kernel interfaces a container is kept from',
    [
      `${statusFile(facts)}: CapBnd ${facts.status.capBnd}: ${names.length} of the ${total} capabilities of this kernel (cap_last_cap ${facts.capLastCap})${missing.length ? `; missing ${missing.join(', ')}` : ''}`,
      `and: ${walls.map((w) => w.id).join(', ')}`,
    ],
    ['5.5'],
  );
}

/** `seccomp-disabled` (CIS 5.22): no seccomp filter at all. */
export function seccompDisabled(facts: ContainerFacts): Finding | Unknown | undefined {
  if (facts.status.seccomp === undefined)
    return { id: 'seccomp-disabled', reason: `${statusFile(facts)} has no Seccomp line (kernel without CONFIG_SECCOMP)` };
  if (facts.status.seccomp !== 0) return undefined;
  return finding(
    'seccomp-disabled',
    'medium',
    'no seccomp filter: every system call reaches the kernel',
    [`${statusFile(facts)}: Seccomp 0`],
    ['5.22'],
  );
}

/** `no-new-privileges-off` (CIS 5.26): setuid binaries and file capabilities still raise privileges. */
export function noNewPrivilegesOff(facts: ContainerFacts): Finding | Unknown | undefined {
  if (facts.status.noNewPrivs === undefined)
    return { id: 'no-new-privileges-off', reason: `${statusFile(facts)} has no NoNewPrivs line (kernel before 4.10)` };
  if (facts.status.noNewPrivs) return undefined;
  return finding(
    'no-new-privileges-off',
    'low',
    'no_new_privs is off: setuid and file-capability programs can gain privileges',
    [`${statusFile(facts)}: NoNewPrivs 0`],
    ['5.26'],
  );
}

/** `root-user` (CIS 4.1): uid 0 as the host sees it, i.e. root without a user namespace mapping it away. */
export function rootUser(facts: ContainerFacts): Finding | undefined {
  const [real, effective] = facts.status.uid;
  if (real !== 0 && effective !== 0) return undefined;
  return finding(
    'root-user',
    'medium',
    "runs as root, and that root is the host's uid 0 (no user namespace maps it away)",
    [`${statusFile(facts)}: Uid ${facts.status.uid.join(' ')} (as seen from the host)`],
    ['4.1'],
  );
}

const UNCONFINED_SELINUX = /:(unconfined_t|spc_t|kernel_t|initrc_t|unconfined_service_t):/;

/** `lsm-unconfined` (CIS 5.2 AppArmor, 5.3 SELinux): no AppArmor profile or SELinux type confines it. */
export function lsmUnconfined(facts: ContainerFacts): Finding | undefined {
  const { host, hostFrom, label, labelFile } = facts.lsm;
  const seen = `${labelFile}: ${label === null ? '(no label)' : label}`;
  if (host.length === 0) {
    return finding(
      'lsm-unconfined',
      'low',
      'no AppArmor or SELinux on this host: no container is confined by an LSM',
      [`${hostFrom}: no apparmor or selinux`, seen],
      ['5.2', '5.3'],
    );
  }
  const unconfined = label === null || label === 'unconfined' || / \(complain\)$/.test(label) || UNCONFINED_SELINUX.test(label);
  if (!unconfined) return undefined;
  return finding(
    'lsm-unconfined',
    'medium',
    `not confined by ${host.join(' or ')}`,
    [`${hostFrom}: ${host.join(', ')}`, seen],
    ['5.2', '5.3'],
  );
}
