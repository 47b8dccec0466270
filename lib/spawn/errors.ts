// Start failures and the other errors a spawn delivers, as Node shapes them. A step of the addon
// that failed ({step, errno, arg}, from spawn() itself or from the start pipe) becomes an NsError
// that says what to do; errno values are compared by name (lib/errno.ts), never as numbers.
import { E } from '../errno.js';
import { NsError, PTRACE_HINT, type NsErrorDetails } from '../errors.js';
import { stepSyscall } from '../native-error.js';
import type { NamespaceType } from '../namespaces.js';
import type { Plan } from './plan.js';

// The order of native/spawn_spec.h's kNsKinds: an 'open_ns' or 'setns' step's arg indexes it.
const NS_ORDER: readonly NamespaceType[] = ['user', 'cgroup', 'ipc', 'uts', 'net', 'pid', 'mnt', 'time'];

const CREDS_STEPS = new Set(['capbset', 'keepcaps', 'capset', 'ambient', 'lsm', 'no_new_privs']);

/** Turns the addon's {step, errno, arg} into an NsError that says what to do. */
export function startError(plan: Plan, step: string, errno: number, arg: number): NsError {
  const pid = plan.pid;
  const details: NsErrorDetails & { syscall: string; hint?: string } = { syscall: stepSyscall(step), pid };
  const perm = errno === E.EPERM || errno === E.EACCES;
  switch (step) {
    case 'pidfd_open':
    case 'pidfd_send_signal':
      if (errno === E.ESRCH) details.hint = 'the target process does not exist (or exited while nsjoin prepared)';
      break;
    case 'open_ns':
      details.namespace = NS_ORDER[arg];
      details.path = `/proc/${pid}/ns/${NS_ORDER[arg]}`;
      if (perm) details.hint = PTRACE_HINT;
      break;
    case 'open_root':
      details.path = `/proc/${pid}/root`;
      if (perm) details.hint = PTRACE_HINT;
      break;
    case 'open_cwd':
      details.path = `/proc/${pid}/cwd`;
      if (perm) details.hint = PTRACE_HINT;
      break;
    case 'open_cgroup':
    case 'cgroup':
      details.path = plan.spec.cgroupProcs[arg];
      if (perm) details.hint = 'joining a cgroup needs write access to its cgroup.procs (root, or a delegated cgroup)';
      break;
    case 'setns':
      if (arg >= 0) details.namespace = NS_ORDER[arg];
      else if (plan.joined.length === 1) details.namespace = plan.joined[0];
      if (perm) {
        details.hint =
          `joining namespaces (${details.namespace ?? plan.joined.join(', ')}) needs CAP_SYS_ADMIN` +
          `${plan.joined.includes('mnt') ? ' and CAP_SYS_CHROOT' : ''} in the target's user namespace and in ours; run as root`;
      }
      if (errno === E.ESRCH) details.hint = 'the target exited before its namespaces were joined';
      break;
    case 'chroot':
      details.path = `/proc/${pid}/root`;
      if (perm) details.hint = 'chroot needs CAP_SYS_CHROOT';
      break;
    case 'chdir':
      if (plan.spec.cwd !== null) details.path = plan.spec.cwd;
      break;
    case 'getcwd':
      if (plan.spec.cwd !== null) details.path = plan.spec.cwd;
      details.hint = errno === E.EXDEV ? 'the working directory is outside the target root' : 'the working directory is gone';
      break;
    case 'setgroups':
    case 'setgid':
    case 'setuid':
      if (perm) details.hint = `changing ids needs ${step === 'setuid' ? 'CAP_SETUID' : 'CAP_SETGID'}`;
      if (errno === E.EINVAL) details.hint = 'the id is not mapped in the target user namespace';
      break;
    case 'execve':
      details.path = plan.file;
      break;
    case 'clone':
      if (errno === E.ENOMEM) details.hint = "the target's pid namespace is shutting down (its init exited)";
      if (errno === E.EAGAIN) details.hint = "the target's cgroup may be at its pids.max";
      break;
    default:
      if (CREDS_STEPS.has(step)) {
        details.syscall = step === 'capset' ? 'capset' : step === 'lsm' ? 'write' : 'prctl';
        details.hint =
          step === 'lsm'
            ? "setting the target's LSM exec label failed (/proc/thread-self/attr)"
            : `taking the target's privileges failed at ${step}${arg >= 0 ? ` (capability ${arg})` : ''}${perm && step === 'capbset' ? ': it needs CAP_SETPCAP' : ''}`;
      }
  }
  return NsError.fromErrno(errno, details);
}

/** Node's AbortError (internal to Node): the same class name, name, code and message. */
class AbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(options?: ErrorOptions) {
    super('The operation was aborted', options);
    this.name = 'AbortError';
  }
}

/** The AbortError for an aborted signal, its reason as cause. */
export function abortError(signal: AbortSignal): Error {
  return new AbortError({ cause: signal.reason });
}

/** Node's error for IPC calls on a process without an IPC channel (as after disconnect()). */
export function ipcError(code: 'ERR_IPC_CHANNEL_CLOSED' | 'ERR_IPC_DISCONNECTED'): Error {
  const msg = code === 'ERR_IPC_CHANNEL_CLOSED' ? 'Channel closed' : 'IPC channel is already disconnected';
  return Object.assign(new Error(msg), { code });
}
