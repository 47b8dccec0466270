// The shapes `auditContainer`, `auditAll` and `auditHost` return. Evidence strings quote the file and
// the value read; text that came from the container (mount paths) is kept as read: printers escape it.
import type { ContainerRuntime } from '../parse/container-id.js';

/**
 * How bad a finding is. 'info' is below 'low': recorded (time namespace shared, as nearly everyone
 * does) but never counted by `--fail-on`.
 */
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/** The severities in increasing order. */
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** True when `s` is at least `floor`. */
export function atLeast(s: Severity, floor: Severity): boolean {
  return SEVERITIES.indexOf(s) >= SEVERITIES.indexOf(floor);
}

/** One weakness of a container's (or the host's) isolation. */
export interface Finding {
  /** Stable id: 'privileged', 'added-capabilities', 'host-namespace', ... (see the README's table). */
  id: string;
  severity: Severity;
  /** One line for people. */
  title: string;
  /** What was read that shows it: `file: value` lines. */
  evidence: string[];
  /** Matching CIS Docker Benchmark 1.6.0 ids (as docker-bench-security numbers them), e.g. 'CIS-5.4'. */
  refs: string[];
}

/** A check that could not be made from the host's files, and why (never a guess). */
export interface Unknown {
  id: string;
  reason: string;
}

/** The audited process: its host pid and, when it is one, its container. */
export interface AuditTarget {
  pid: number;
  container?: { id: string; runtime: ContainerRuntime; name?: string };
}

/** What `auditContainer` returns (the `--json` output of `nsjoin audit TARGET`). */
export interface AuditReport {
  target: AuditTarget;
  /** Sorted from the most to the least severe, then by id. */
  findings: Finding[];
  /** Checks that could not be decided (cgroup v2 device rules live in a BPF program, ...). */
  unknown: Unknown[];
}

/** The confidential-computing technologies `auditHost` can recognise; 'none' when no signal was seen. */
export type ConfidentialKind = 'none' | 'tdx' | 'sev' | 'sev-es' | 'sev-snp' | 'pef' | 's390-pv' | 'cca';

/** What `auditHost` returns (`nsjoin audit --host --json`). */
export interface HostReport {
  /** Is this host itself a confidential guest? `evidence`: the signals seen, each naming its source. */
  confidential: { kind: ConfidentialKind; evidence: string[]; bestEffort: string[] };
  /** Does this host run confidential guests itself (KVM module parameters)? null: module not loaded. */
  kvm: { tdx: boolean | null; sev: boolean | null; sevEs: boolean | null; sevSnp: boolean | null; evidence: string[] };
  /** /sys/kernel/security/lockdown; 'unknown' when securityfs is not mounted or the LSM is absent. */
  lockdown: 'none' | 'integrity' | 'confidentiality' | 'unknown';
  /** kernel.yama.ptrace_scope (0-3); null when Yama is not enabled (classic ptrace rules). */
  ptraceScope: number | null;
  /** Can an unprivileged user create a user namespace? And the settings that decide it. */
  unprivilegedUserns: { allowed: boolean; evidence: string[] };
  /** Containers in the host's pid namespace: they see (and, as root, can signal) every process. */
  hostPidContainers: AuditTarget[];
  findings: Finding[];
}
