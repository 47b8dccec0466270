// The host's side, as pure logic: which confidential-computing technology the signals point to,
// what the KVM module parameters say, and the host-wide findings.
import type { AuditTarget, ConfidentialKind, Finding, HostReport } from './types.js';
import { finding } from './rules/finding.js';

/** The raw signals `auditHost` reads; null where a file is absent or unreadable. */
export interface HostFacts {
  /** The first 'flags' line of /proc/cpuinfo, split (x86 only). */
  cpuFlags: string[] | null;
  /** Which of /dev/tdx_guest, /dev/sev-guest exist. */
  devices: string[];
  /** /sys/devices/system/cpu/svm (POWER secure guest: PEF), /sys/firmware/uv/prot_virt_guest (s390). */
  powerSvm: string | null;
  s390ProtVirtGuest: string | null;
  /** /sys/bus/platform/devices/arm-cca-dev exists (the Arm CCA realm guest driver's device). */
  armCcaDevice: boolean;
  /** Kernel log lines about memory encryption or a realm; null when the log could not be read. */
  kernelLog: string[] | null;
  /** /sys/module/kvm_intel/parameters/tdx and kvm_amd's sev, sev_es, sev_snp (null: absent). */
  kvm: { tdx: string | null; sev: string | null; sevEs: string | null; sevSnp: string | null };
  /** /sys/kernel/security/lockdown ('none [integrity] confidentiality'), null when not readable. */
  lockdown: string | null;
  /** /proc/sys/kernel/yama/ptrace_scope. */
  ptraceScope: string | null;
  /** /proc/sys/user/max_user_namespaces, kernel.unprivileged_userns_clone (Debian),
   * kernel.apparmor_restrict_unprivileged_userns (Ubuntu). */
  userns: { max: string | null; clone: string | null; apparmorRestrict: string | null };
  hostPidContainers: AuditTarget[];
}

// The kernel's boot line, e.g. "Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP" or
// "Memory Encryption Features active: Intel TDX"; Arm realms log "RME: Using RSI version".
function fromLog(log: string[]): { kind: ConfidentialKind; line: string } | undefined {
  for (const line of log) {
    if (/Intel TDX/.test(line)) return { kind: 'tdx', line };
    if (/SEV-SNP/.test(line)) return { kind: 'sev-snp', line };
    if (/SEV-ES/.test(line)) return { kind: 'sev-es', line };
    if (/AMD SEV/.test(line)) return { kind: 'sev', line };
    if (/RME: Using RSI/.test(line)) return { kind: 'cca', line };
  }
  return undefined;
}

/** Which confidential-computing guest this host is, from the strongest signal seen. */
export function classifyConfidential(f: HostFacts): HostReport['confidential'] {
  const evidence: string[] = [];
  const kinds: ConfidentialKind[] = [];
  const flags = f.cpuFlags ?? [];
  if (flags.includes('tdx_guest')) {
    kinds.push('tdx');
    evidence.push('/proc/cpuinfo: flag tdx_guest');
  }
  if (f.devices.includes('/dev/tdx_guest')) {
    kinds.push('tdx');
    evidence.push('/dev/tdx_guest exists');
  }
  if (f.devices.includes('/dev/sev-guest')) {
    kinds.push('sev-snp');
    evidence.push('/dev/sev-guest exists (SEV-SNP guest driver)');
  }
  // An AMD host lists sev/sev_es/sev_snp as what its CPU can do; only inside a VM do they mean a guest.
  if (flags.includes('hypervisor')) {
    for (const [flag, kind] of [
      ['sev_snp', 'sev-snp'],
      ['sev_es', 'sev-es'],
      ['sev', 'sev'],
    ] as const) {
      if (flags.includes(flag)) {
        kinds.push(kind);
        evidence.push(`/proc/cpuinfo: flags hypervisor and ${flag}`);
        break;
      }
    }
  }
  if (f.powerSvm === '1') {
    kinds.push('pef');
    evidence.push('/sys/devices/system/cpu/svm: 1');
  }
  if (f.s390ProtVirtGuest === '1') {
    kinds.push('s390-pv');
    evidence.push('/sys/firmware/uv/prot_virt_guest: 1');
  }
  if (f.armCcaDevice) {
    kinds.push('cca');
    evidence.push('/sys/bus/platform/devices/arm-cca-dev exists');
  }
  const log = f.kernelLog && fromLog(f.kernelLog);
  if (log) {
    kinds.push(log.kind);
    evidence.push(`kernel log: ${log.line}`);
  }
  const rank: ConfidentialKind[] = ['none', 'sev', 'sev-es', 'sev-snp', 'tdx', 'pef', 's390-pv', 'cca'];
  const kind = kinds.reduce<ConfidentialKind>((a, b) => (rank.indexOf(b) > rank.indexOf(a) ? b : a), 'none');
  const bestEffort = [
    'kernel log (/dev/kmsg): boot lines rotate out of the ring buffer; reading needs CAP_SYSLOG',
    '/proc/cpuinfo sev flags: taken as a guest only with the hypervisor flag',
    '/sys/bus/platform/devices/arm-cca-dev: only with the arm-cca-guest driver (Linux 6.13+)',
  ];
  if (f.kernelLog === null) bestEffort.unshift('kernel log: not readable here, not consulted');
  return { kind, evidence, bestEffort };
}

const yes = (v: string | null): boolean | null => (v === null ? null : v === 'Y' || v === 'y' || v === '1');

/** The KVM parameters that say whether this host can run TDX or SEV guests itself. */
export function kvmReport(f: HostFacts): HostReport['kvm'] {
  const evidence: string[] = [];
  const names = {
    tdx: '/sys/module/kvm_intel/parameters/tdx',
    sev: '/sys/module/kvm_amd/parameters/sev',
    sevEs: '/sys/module/kvm_amd/parameters/sev_es',
    sevSnp: '/sys/module/kvm_amd/parameters/sev_snp',
  } as const;
  for (const key of ['tdx', 'sev', 'sevEs', 'sevSnp'] as const) if (f.kvm[key] !== null) evidence.push(`${names[key]}: ${f.kvm[key]}`);
  return { tdx: yes(f.kvm.tdx), sev: yes(f.kvm.sev), sevEs: yes(f.kvm.sevEs), sevSnp: yes(f.kvm.sevSnp), evidence };
}

/** The whole host report from its facts. Pure. */
export function evaluateHost(f: HostFacts): HostReport {
  const lockdown = (/\[(none|integrity|confidentiality)\]/.exec(f.lockdown ?? '')?.[1] as HostReport['lockdown'] | undefined) ?? 'unknown';
  const scope = f.ptraceScope !== null && /^[0-3]$/.test(f.ptraceScope) ? Number(f.ptraceScope) : null;
  const usernsEvidence: string[] = [];
  let allowed = true;
  if (f.userns.max !== null) {
    usernsEvidence.push(`/proc/sys/user/max_user_namespaces: ${f.userns.max}`);
    if (f.userns.max === '0') allowed = false;
  }
  if (f.userns.clone !== null) {
    usernsEvidence.push(`/proc/sys/kernel/unprivileged_userns_clone: ${f.userns.clone}`);
    if (f.userns.clone === '0') allowed = false;
  }
  if (f.userns.apparmorRestrict !== null) {
    usernsEvidence.push(`/proc/sys/kernel/apparmor_restrict_unprivileged_userns: ${f.userns.apparmorRestrict}`);
    if (f.userns.apparmorRestrict === '1') allowed = false;
  }
  const findings: Finding[] = [];
  if (f.hostPidContainers.length > 0) {
    findings.push(
      finding(
        'host-pid-containers',
        'high',
        `${f.hostPidContainers.length} container(s) share the host's pid namespace: they see every process`,
        f.hostPidContainers.map(
          (t) =>
            `pid ${t.pid}${t.container ? `: ${t.container.runtime} ${t.container.id.slice(0, 12)}${t.container.name ? ` (${t.container.name})` : ''}` : ''}`,
        ),
        ['5.16'],
      ),
    );
  }
  if (allowed)
    findings.push(
      finding(
        'unprivileged-userns',
        'low',
        'unprivileged users can create user namespaces (kernel attack surface for any local user or container that keeps it)',
        usernsEvidence,
      ),
    );
  if (scope === null || scope === 0)
    findings.push(
      finding('ptrace-unrestricted', 'low', 'ptrace is not restricted by Yama: any process may trace others of the same uid', [
        scope === null ? '/proc/sys/kernel/yama/ptrace_scope: absent (Yama not enabled)' : '/proc/sys/kernel/yama/ptrace_scope: 0',
      ]),
    );
  if (lockdown === 'none')
    findings.push(
      finding('lockdown-none', 'info', 'kernel lockdown is off: root can change the running kernel (modules, /dev/mem, kprobes)', [
        `/sys/kernel/security/lockdown: ${f.lockdown}`,
      ]),
    );
  return {
    confidential: classifyConfidential(f),
    kvm: kvmReport(f),
    lockdown,
    ptraceScope: scope,
    unprivilegedUserns: { allowed, evidence: usernsEvidence },
    hostPidContainers: f.hostPidContainers,
    findings,
  };
}
