// The privileges a program takes from its target (JoinOptions.privileges, default 'target'): the
// target's capability sets, its no_new_privs, its LSM exec label, read from /proc/PID while the
// caller holds the target's pidfd (the addon checks the process still lives after: so these are
// the sets of that process, never of one that got its pid later). The native side (native/creds.cc)
// applies them between clone and execve in runc's order, intersected with what the caller holds.
//
// Seccomp is not inherited: a filter can only be read back with ptrace (PTRACE_SECCOMP_GET_FILTER)
// and the kernel does not let a process adopt another's. See the README's Security section.
import { existsSync } from 'node:fs';
import { NsError } from './errors.js';
import { readText } from './io.js';
import { parseProcStatus, type ProcStatus } from './parse/proc-status.js';

/** Whose privileges the program runs with: the target's (default), or the caller's own. */
export type Privileges = 'target' | 'caller';

/** What the addon applies (RawSpawnSpec.creds); masks as hex strings (64 bits do not fit a number). */
export interface RawCreds {
  bounding: string;
  permitted: string;
  effective: string;
  inheritable: string;
  ambient: string;
  noNewPrivs: boolean;
  /** The LSM exec label: `value` written to /proc/thread-self/`attr` by the program. */
  lsm: { attr: 'attr/exec' | 'attr/apparmor/exec'; value: string } | null;
}

/**
 * The privileges of a program whose namespaces are known, from JoinOptions.privileges as
 * lib/spawn/options.ts checked it: 'target' for a program that runs in the target's root (the
 * container's own binary, which the container may have replaced), 'caller' for a host binary (no
 * 'mnt', no `root`: our own program, with our cleaned environment). A host binary with only the
 * target's capabilities inside the target's pid namespace could be ptraced by the container's root
 * (same uid, no capability it lacks), and through it the container would reach the host's
 * filesystem: that combination is refused (for namespaces 'all', first known here). @internal
 */
export function checkPrivileges(value: Privileges | undefined, inTargetRoot: boolean, pidJoined: boolean): Privileges {
  if (value === 'target') refuseTargetPrivilegesOnHostProgram(inTargetRoot, pidJoined);
  return value ?? (inTargetRoot ? 'target' : 'caller');
}

/**
 * The one refusal of `privileges: 'target'` for a host program (not in the target's root) that
 * joins the target's pid namespace: with only the container's capabilities, the container's root
 * could ptrace it and reach the host's filesystem through it. Checked where the options are
 * (explicit namespaces) and again once 'all' is resolved. @internal
 */
export function refuseTargetPrivilegesOnHostProgram(inTargetRoot: boolean, pidJoined: boolean): void {
  if (!inTargetRoot && pidJoined) {
    throw new TypeError(
      "privileges 'target' with a host program in the target's pid namespace would let the container ptrace a process whose root is the host's: join 'mnt' (or root: true), or leave out 'pid'",
    );
  }
}

/** The target's status lines that matter here. @internal */
export function targetStatus(pid: number): ProcStatus {
  return parseProcStatus(readText(`/proc/${pid}/status`, pid), `/proc/${pid}/status`);
}

/**
 * Which of the LSMs that label processes are active (securityfs' list, else their own files). Read
 * once per process: the kernel chooses its LSMs at boot and loads none later, and the probe (three
 * files, absent on most hosts, each a thrown error) was a third of spawn's /proc reads.
 */
let lsmsOfThisBoot: readonly string[] | undefined;
function activeLsms(): readonly string[] {
  return (lsmsOfThisBoot ??= probeLsms());
}

function probeLsms(): string[] {
  try {
    return readText('/sys/kernel/security/lsm').trim().split(',');
  } catch {
    // securityfs not mounted: ask the LSMs themselves.
    const out: string[] = [];
    try {
      if (readText('/sys/module/apparmor/parameters/enabled').trim() === 'Y') out.push('apparmor');
    } catch {
      /* not built */
    }
    if (existsSync('/sys/fs/selinux/enforce')) out.push('selinux');
    return out;
  }
}

function readAttr(pid: number, attr: string): string | null {
  try {
    return readText(`/proc/${pid}/${attr}`, pid);
  } catch (err) {
    const code = (err as NsError).code;
    if (code === 'EINVAL' || code === 'ENOENT') return null; // no LSM answers this file
    throw err;
  }
}

/**
 * Turns a label read from /proc/PID/attr into the exec label to write: AppArmor "exec PROFILE"
 * (null for "unconfined"), SELinux the context as is. Null for a label that cannot be one (empty,
 * too long, with NUL or newline). @internal
 */
export function execLabel(lsm: 'selinux' | 'apparmor', current: string, stacked: boolean): RawCreds['lsm'] {
  const label = current.replace(/[\0\n]+$/, '');
  if (label.length === 0 || label.length > 4095 || /[\0\n]/.test(label)) return null;
  if (lsm === 'selinux') return { attr: 'attr/exec', value: label };
  // "docker-default (enforce)", "unconfined".
  const profile = label.replace(/ \((enforce|complain|kill|unconfined|user)\)$/, '');
  if (profile === 'unconfined') return null;
  return { attr: stacked ? 'attr/apparmor/exec' : 'attr/exec', value: `exec ${profile}` };
}

/**
 * The target's LSM label as an exec label for the program; null when no labelling LSM is active
 * (this VM runs none: only execLabel's text handling is tested here). @internal
 */
export function targetExecLabel(pid: number, lsms: readonly string[] = activeLsms()): RawCreds['lsm'] {
  if (lsms.includes('selinux')) {
    const current = readAttr(pid, 'attr/current');
    if (current !== null) return execLabel('selinux', current, false);
  }
  if (lsms.includes('apparmor')) {
    // With LSM stacking AppArmor's own files are under attr/apparmor/; older kernels: attr/.
    const stacked = existsSync('/proc/self/attr/apparmor');
    const current = readAttr(pid, stacked ? 'attr/apparmor/current' : 'attr/current');
    if (current !== null) return execLabel('apparmor', current, stacked);
  }
  return null;
}

/**
 * What the program takes from the target. A target in a user namespace that the program does not
 * join holds no capability in ours: then every set is empty.
 * @param s the target's /proc/PID/status (lib/spawn/plan.ts reads it once for the ids too)
 * @param sameUserNs whether the program ends in the target's user namespace (joined, or shared)
 * @internal
 */
export function targetCredentials(pid: number, s: ProcStatus, sameUserNs: boolean): RawCreds {
  const set = (mask: string) => (sameUserNs ? mask : '0');
  return {
    bounding: set(s.capBnd),
    permitted: set(s.capPrm),
    effective: set(s.capEff),
    inheritable: set(s.capInh),
    ambient: set(s.capAmb),
    noNewPrivs: s.noNewPrivs === true,
    lsm: targetExecLabel(pid),
  };
}
