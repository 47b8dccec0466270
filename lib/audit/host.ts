// Reading the host's own signals for `auditHost`: cpuinfo, guest devices, sysfs, the kernel log
// (best effort), KVM parameters, lockdown, Yama, user namespace sysctls, and which containers run
// in the host's pid namespace.
import { closeSync, constants, existsSync, openSync, readSync } from 'node:fs';
import { listContainers } from '../containers.js';
import { readTextIfExists } from '../io.js';
import { namespacesOf } from '../namespaces.js';
import type { RootOptions } from '../targets.js';
import { evaluateHost, type HostFacts } from './host-rules.js';
import { hostNamespaceIds } from './read.js';
import type { AuditTarget, HostReport } from './types.js';

function value(path: string): string | null {
  try {
    return readTextIfExists(path)?.trim() ?? null;
  } catch {
    return null; // EACCES, EPERM, EINVAL: not known
  }
}

// /dev/kmsg hands out one record per read and EAGAIN at the end when opened non-blocking; only the
// lines that name memory encryption or a realm are kept. Bounded, so a busy log cannot hold us.
function kernelLog(): string[] | null {
  let fd: number;
  try {
    fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  const out: string[] = [];
  const buf = Buffer.alloc(8192);
  try {
    for (let i = 0; i < 200_000; i++) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') continue; // records overwritten while we read: go on with the next
        break; // EAGAIN: the end
      }
      if (n === 0) break;
      const record = buf.toString('utf8', 0, n);
      const text = record.slice(record.indexOf(';') + 1).split('\n')[0]!;
      if (/Memory Encryption Features active|RME: Using RSI/.test(text)) out.push(text.trim());
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

function hostPidContainers(options: RootOptions): AuditTarget[] {
  const host = hostNamespaceIds(options).ids.pid;
  if (host === undefined) return [];
  const out: AuditTarget[] = [];
  for (const c of listContainers(options)) {
    try {
      if (namespacesOf(c.pid, options).pid?.inode !== host) continue;
    } catch {
      continue; // gone
    }
    const name = (c as { name?: unknown }).name;
    out.push({ pid: c.pid, container: { id: c.id, runtime: c.runtime, ...(typeof name === 'string' ? { name } : {}) } });
  }
  return out;
}

/** Reads the raw host signals (see `HostFacts`). */
export function readHostFacts(options: RootOptions = {}): HostFacts {
  const procRoot = options.procRoot ?? '/proc';
  const sysRoot = options.sysRoot ?? '/sys';
  const cpuinfo = value(`${procRoot}/cpuinfo`);
  const flagsLine = cpuinfo?.split('\n').find((l) => /^flags\s*:/.test(l));
  return {
    cpuFlags: flagsLine
      ? flagsLine
          .slice(flagsLine.indexOf(':') + 1)
          .trim()
          .split(/\s+/)
      : null,
    devices: ['/dev/tdx_guest', '/dev/sev-guest'].filter((p) => existsSync(p)),
    powerSvm: value(`${sysRoot}/devices/system/cpu/svm`),
    s390ProtVirtGuest: value(`${sysRoot}/firmware/uv/prot_virt_guest`),
    armCcaDevice: existsSync(`${sysRoot}/bus/platform/devices/arm-cca-dev`),
    kernelLog: options.procRoot === undefined ? kernelLog() : null,
    kvm: {
      tdx: value(`${sysRoot}/module/kvm_intel/parameters/tdx`),
      sev: value(`${sysRoot}/module/kvm_amd/parameters/sev`),
      sevEs: value(`${sysRoot}/module/kvm_amd/parameters/sev_es`),
      sevSnp: value(`${sysRoot}/module/kvm_amd/parameters/sev_snp`),
    },
    lockdown: value(`${sysRoot}/kernel/security/lockdown`),
    ptraceScope: value(`${procRoot}/sys/kernel/yama/ptrace_scope`),
    userns: {
      max: value(`${procRoot}/sys/user/max_user_namespaces`),
      clone: value(`${procRoot}/sys/kernel/unprivileged_userns_clone`),
      apparmorRestrict: value(`${procRoot}/sys/kernel/apparmor_restrict_unprivileged_userns`),
    },
    hostPidContainers: hostPidContainers(options),
  };
}

/**
 * Audits the host itself: is it a confidential-computing guest (TDX, SEV, SEV-ES, SEV-SNP, PEF,
 * s390 PV, Arm CCA; with the signals that showed it and which signals are best-effort), does it run
 * TDX/SEV guests (KVM parameters), kernel lockdown, Yama ptrace_scope, whether unprivileged users
 * may create user namespaces, and which containers share the host's pid namespace. Read-only.
 */
export function auditHost(options: RootOptions = {}): HostReport {
  return evaluateHost(readHostFacts(options));
}
