// spawn / execFile / spawnSync into the namespaces of another process: the entry points, as Node's
// lib/child_process.js. The parts live in lib/spawn/ (docs/architecture.md): options.ts checks
// the arguments (no I/O), plan.ts reads the target, start.ts hands the plan to the addon (which
// does the clone/setns/exec part, native/), child.ts is the running program, errors.ts the
// start failures.
import { promisify } from 'node:util';
import type { Target } from './targets.js';
import { targetPid } from './spawn/target-pid.js';
import { startChild, type NsChildProcess } from './spawn/child.js';
import { runExecFile } from './spawn/exec-file.js';
import { checkInternal } from './spawn/internal.js';
import { checkOptions, splitArguments } from './spawn/options.js';
import { makePlan } from './spawn/plan.js';
import type { ExecFileError, ExecFileOptions, InternalSwitches, JoinOptions, PromiseWithChild } from './spawn/types.js';

export { NsChildProcess } from './spawn/child.js';
export { spawnSync } from './spawn/spawn-sync.js';
export type { NsChildProcessEvents } from './spawn/child-base.js';
export { kernelSupport, type Kernel } from './spawn/kernel.js';
export type {
  ExecFileError,
  ExecFileOptions,
  InternalSwitches,
  JoinOptions,
  PromiseWithChild,
  SpawnSyncOptions,
  SpawnSyncResult,
  StdioEntry,
} from './spawn/types.js';

/**
 * Starts `file` with `args` inside the namespaces of `target` (see JoinOptions) and returns at
 * once, like child_process.spawn (also `spawn(target, file, options)`).
 * @throws TypeError/RangeError for bad arguments, synchronously (nothing is started).
 * Every other failure (no such target or container, no ptrace access, ENOENT for a missing
 * program, EPERM without privilege, ...) is emitted as 'error', as child_process does.
 */
export function spawn(target: Target, file: string, options?: JoinOptions): NsChildProcess;
export function spawn(target: Target, file: string, args?: readonly string[], options?: JoinOptions): NsChildProcess;
export function spawn(target: Target, file: string, args?: readonly string[] | JoinOptions, options?: JoinOptions): NsChildProcess {
  const a = splitArguments(args, options);
  return spawnInternal(target, file, a.args as readonly string[], a.options as JoinOptions, undefined);
}

/** spawn() with nsjoin's internal switches (not public: lib/spawn/internal.ts). @internal */
export function spawnInternal(
  target: Target,
  file: string,
  args: readonly string[] | null | undefined,
  options: JoinOptions | undefined,
  switches: InternalSwitches | undefined,
): NsChildProcess {
  const checked = checkOptions('spawn', file, args, options);
  const internal = checkInternal(switches, checked.stdio.length);
  const pid = targetPid(target);
  return startChild(checked, () => makePlan(pid, checked, internal));
}

type ExecCallback<T> = (error: ExecFileError<T & (string | Buffer)> | null, stdout: T, stderr: T) => void;
type ExecOutput = { stdout: string | Buffer; stderr: string | Buffer };

/**
 * Runs a program inside the target and buffers its output, like
 * `util.promisify(child_process.execFile)` (also `util.promisify(execFile)` itself): rejects on
 * a non-zero exit or a kill (`code` = the exit status or null, `signal`, `killed`), on a start
 * failure (the NsError: ENOENT, ESRCH, ...), on abort, and when output passes maxBuffer
 * (RangeError ERR_CHILD_PROCESS_STDIO_MAXBUFFER); the error carries `cmd`, `stdout`, `stderr`.
 * The promise has the program on `.child`. Given a callback last, it is called as Node's
 * `(error, stdout, stderr)` and the NsChildProcess is returned.
 * @throws TypeError/RangeError synchronously for bad arguments.
 */
export function execFile<O extends ExecFileOptions & { encoding: 'buffer' | null }>(
  target: Target,
  file: string,
  args: readonly string[] | null | undefined,
  options: O,
): PromiseWithChild<{ stdout: Buffer; stderr: Buffer }>;
export function execFile<O extends ExecFileOptions & { encoding: 'buffer' | null }>(
  target: Target,
  file: string,
  options: O,
): PromiseWithChild<{ stdout: Buffer; stderr: Buffer }>;
export function execFile(
  target: Target,
  file: string,
  args?: readonly string[] | null,
  options?: (ExecFileOptions & { encoding?: BufferEncoding }) | null,
): PromiseWithChild<{ stdout: string; stderr: string }>;
export function execFile(
  target: Target,
  file: string,
  options: (ExecFileOptions & { encoding?: BufferEncoding }) | null,
): PromiseWithChild<{ stdout: string; stderr: string }>;
export function execFile(
  target: Target,
  file: string,
  args: readonly string[] | null | undefined,
  options: ExecFileOptions | null | undefined,
): PromiseWithChild<{ stdout: string | Buffer; stderr: string | Buffer }>;
export function execFile<O extends ExecFileOptions & { encoding: 'buffer' | null }>(
  target: Target,
  file: string,
  args: readonly string[] | null | undefined,
  options: O,
  callback: ExecCallback<Buffer>,
): NsChildProcess;
export function execFile(
  target: Target,
  file: string,
  args: readonly string[] | null | undefined,
  options: (ExecFileOptions & { encoding?: BufferEncoding }) | null | undefined,
  callback: ExecCallback<string>,
): NsChildProcess;
export function execFile(
  target: Target,
  file: string,
  args: readonly string[] | null | undefined,
  options: ExecFileOptions | null | undefined,
  callback: ExecCallback<string | Buffer>,
): NsChildProcess;
export function execFile(
  target: Target,
  file: string,
  args: readonly string[] | null | undefined,
  callback: ExecCallback<string>,
): NsChildProcess;
export function execFile(target: Target, file: string, callback: ExecCallback<string>): NsChildProcess;
export function execFile(target: Target, file: string, ...rest: unknown[]): PromiseWithChild<ExecOutput> | NsChildProcess {
  const a = splitArguments(rest[0], rest[1], rest[2]);
  if (a.callback !== undefined && a.callback !== null && typeof a.callback !== 'function') {
    throw Object.assign(new TypeError('callback must be a function'), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  const { child, done } = execFileCore(target, file, a.args as readonly string[], a.options as ExecFileOptions, undefined);
  if (typeof a.callback === 'function') {
    const cb = a.callback as ExecCallback<string | Buffer>;
    done.then(
      ({ stdout, stderr }) => cb(null, stdout, stderr),
      (e: ExecFileError<string | Buffer>) => {
        // As Node's callback: the outputs are its arguments, not fields of the error.
        const { stdout, stderr } = e;
        delete e.stdout;
        delete e.stderr;
        cb(e, stdout!, stderr!);
      },
    );
    return child;
  }
  return Object.assign(done, { child });
}
// util.promisify(execFile) is execFile itself (it already returns a promise); the type says so
// the way Node's own types say it for child_process.execFile.
Object.defineProperty(execFile, promisify.custom, { value: execFile, enumerable: false, writable: false, configurable: true });
// eslint-disable-next-line @typescript-eslint/no-namespace -- how Node's own types declare util.promisify(execFile)
export declare namespace execFile {
  /** The type of `util.promisify(execFile)`: the promise forms of execFile. */
  const __promisify__: {
    <O extends ExecFileOptions & { encoding: 'buffer' | null }>(
      target: Target,
      file: string,
      args: readonly string[] | null | undefined,
      options: O,
    ): PromiseWithChild<{ stdout: Buffer; stderr: Buffer }>;
    (
      target: Target,
      file: string,
      args?: readonly string[] | null,
      options?: (ExecFileOptions & { encoding?: BufferEncoding }) | null,
    ): PromiseWithChild<{ stdout: string; stderr: string }>;
    (
      target: Target,
      file: string,
      args: readonly string[] | null | undefined,
      options: ExecFileOptions | null | undefined,
    ): PromiseWithChild<{ stdout: string | Buffer; stderr: string | Buffer }>;
  };
}

function execFileCore(
  target: Target,
  file: string,
  args: readonly string[] | null | undefined,
  options: ExecFileOptions | null | undefined,
  switches: InternalSwitches | undefined,
) {
  const checked = checkOptions('execFile', file, args, options);
  const internal = checkInternal(switches, checked.stdio.length);
  return runExecFile(targetPid(target), checked, internal);
}

/** execFile() (promise form, utf8 unless `encoding` says otherwise) with nsjoin's internal switches. @internal */
export function execFileInternal(
  target: Target,
  file: string,
  args: readonly string[],
  options: ExecFileOptions,
  switches: InternalSwitches,
): PromiseWithChild<ExecOutput> {
  const { child, done } = execFileCore(target, file, args, options, switches);
  return Object.assign(done, { child });
}
