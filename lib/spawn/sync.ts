// spawnSync's core: starts the program and waits for it on this thread (the addon's waitSync
// reads the outputs, writes the input, enforces timeout and maxBuffer); every failure after the
// argument checks is in the result's `error`, as child_process.spawnSync.
import { binding } from '../binding.js';
import { E } from '../errno.js';
import { NsError } from '../errors.js';
import { isNativeFailure } from '../native-error.js';
import { readStartSync } from '../start-report.js';
import { signalName } from './checks.js';
import { abortError, startError } from './errors.js';
import type { Internal } from './internal.js';
import type { CheckedOptions } from './options.js';
import { makePlan } from './plan.js';
import { launch, type Launched } from './start.js';
import { closeParentFds } from './stdio.js';
import type { SpawnSyncResult } from './types.js';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/** Runs the program to its end; see spawnSync in lib/spawn/spawn-sync.ts. */
export function runSync(pid: number | NsError, o: CheckedOptions, internal: Internal): SpawnSyncResult<string | Buffer> {
  const decode = (b: Buffer) => (o.encoding === undefined ? b : b.toString(o.encoding));
  const failed = (error: Error): SpawnSyncResult<string | Buffer> => {
    Object.assign(error, { path: o.file, spawnargs: o.args });
    // As the running Node's own spawnSync: `output && output[1]` (null) up to Node 20,
    // `output?.[1]` (undefined) from Node 22 on.
    const none = NODE_MAJOR >= 22 ? undefined : null;
    return { error, status: null, signal: null, output: null, pid: 0, stdout: none as null, stderr: none as null };
  };
  if (o.signal?.aborted) return failed(abortError(o.signal));
  let started: Launched;
  try {
    started = launch(() => makePlan(pid, o, internal), o);
  } catch (err) {
    return failed(err as Error);
  }
  const { plan, result, parentFds } = started;
  if (isNativeFailure(result)) {
    closeParentFds(parentFds);
    return failed(startError(plan, result.step, result.errno, result.arg));
  }
  const raw = new (binding().Child)(result.pidfd);
  // Slots beyond stdin that we read; other slots' fds are closed by the wait loop too.
  const outFds = parentFds.map((fd, i) => (i === 0 ? -1 : (fd ?? -1)));
  const r = raw.waitSync({
    stdinFd: parentFds[0] ?? -1,
    ...(o.input === undefined ? {} : { input: Buffer.from(o.input.buffer, o.input.byteOffset, o.input.byteLength) }),
    outFds,
    timeoutMs: o.timeout,
    killSignal: o.killSignal,
    maxBuffer: o.maxBuffer,
  });
  // The program has exited: no writer of the start pipe is left, so this read cannot wait.
  const notStarted = readStartSync(result.startFd);
  if (notStarted) return failed(startError(plan, notStarted.step, notStarted.errno, notStarted.arg));
  const output = outFds.map((fd, i) => (fd < 0 ? null : decode(r.outputs[i]!)));
  const res: SpawnSyncResult<string | Buffer> = {
    status: r.code,
    signal: r.signal === null ? null : (signalName(r.signal) as NodeJS.Signals),
    output,
    pid: result.pid,
    stdout: output[1] ?? null,
    stderr: output[2] ?? null,
  };
  const failure = r.pollErrno || (r.timedOut ? E.ETIMEDOUT : r.overflow ? E.ENOBUFS : 0);
  if (failure) {
    const syscall = r.pollErrno ? 'poll' : `spawnSync ${o.file}`;
    res.error = Object.assign(NsError.fromErrno(failure, { syscall, path: o.file, pid: plan.pid }), {
      spawnargs: o.args,
    });
  }
  return res;
}
