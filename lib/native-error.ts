// The one place where a failure reported by the addon becomes an NsError. Every small native call
// (pidfdOpen, pipe, kill, openat2, openPty, resizePty, socketIn) reports failure the same way: a
// NativeFailure { step, errno } returned in place of its result, or passed as its callback's first
// argument (native/sys.h Failure). The step names the call or stage; here it becomes the `syscall`
// of the error, and the hints every caller shares are added.
import { E } from './errno.js';
import { NsError, PTRACE_HINT, type NsErrorDetails } from './errors.js';

/** A failure from the addon: the step that failed and its (positive) errno. */
export interface NativeFailure {
  step: string;
  errno: number;
}

/** Whether an addon result is a NativeFailure. */
export function isNativeFailure(value: unknown): value is NativeFailure {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as NativeFailure).step === 'string' &&
    typeof (value as NativeFailure).errno === 'number'
  );
}

// Steps that are stages of a system call rather than its name (the small calls' and spawn's).
const STEP_SYSCALL: Readonly<Record<string, string>> = {
  open_ns: 'open',
  open_root: 'open',
  open_ptmx: 'open',
  open_slave: 'open',
  open_cwd: 'open',
  open_cgroup: 'open',
  open_proc: 'open',
  cgroup: 'write',
  // The check that the pid still names the process anchored by pidfd_open.
  pidfd_send_signal: 'pidfd_open',
};

/** The system call a step of the addon names: the step itself, or the call it is a stage of. */
export function stepSyscall(step: string): string {
  return STEP_SYSCALL[step] ?? step;
}

function defaultHint(f: NativeFailure): string | undefined {
  const perm = f.errno === E.EPERM || f.errno === E.EACCES;
  if (perm && (f.step === 'open_ns' || f.step === 'open_root')) return PTRACE_HINT;
  if (f.errno === E.ESRCH) return 'the target process does not exist';
  return undefined;
}

/**
 * Builds the NsError for a NativeFailure: `syscall` from the step, the path of the steps that
 * open a fixed file (/proc/PID/root, /dev/ptmx), and the caller's details, which win (a caller's
 * `hint` replaces the shared ones).
 */
export function nativeError(f: NativeFailure, details: NsErrorDetails = {}): NsError {
  const d: NsErrorDetails = { syscall: stepSyscall(f.step) };
  if (f.step === 'open_root' && details.pid !== undefined) d.path = `/proc/${details.pid}/root`;
  if (f.step === 'open_ptmx') d.path = '/dev/ptmx';
  const hint = defaultHint(f);
  if (hint !== undefined) d.hint = hint;
  for (const [k, v] of Object.entries(details)) if (v !== undefined) (d as Record<string, unknown>)[k] = v;
  return NsError.fromErrno(f.errno, d);
}

/** An addon result, or the NsError for its failure thrown. */
export function unwrap<T>(result: T | NativeFailure, details?: NsErrorDetails): T {
  if (isNativeFailure(result)) throw nativeError(result, details);
  return result;
}
