// NsChildProcess: a program started inside a target, with Node's ChildProcess lifecycle (as
// Node's lib/internal/child_process.js): 'spawn' once execve happened (the start pipe, lib/
// start-report.ts), 'error' for a start failure, 'exit' when the pidfd reports it, 'close' once
// the exit is known and every stdio stream has ended. Starting is not a public method: the entry
// points call startChild().
import type { Socket } from 'node:net';
import { binding, type RawChild } from '../binding.js';
import { E } from '../errno.js';
import { NsError } from '../errors.js';
import { isNativeFailure, nativeError } from '../native-error.js';
import { checkPtySize, ptyStream, resizePty, type PtyInfo } from '../pty.js';
import { watchStart, type StartFailure } from '../start-report.js';
import { signalName, toSignal } from './checks.js';
import { ChildProcessBase } from './child-base.js';
import { abortError, startError } from './errors.js';
import type { CheckedOptions } from './options.js';
import type { Plan } from './plan.js';
import { launch, type Launched } from './start.js';
import { flushUnread, pipesThatEnd, streamsFor } from './stdio.js';

let start: (child: NsChildProcess, o: CheckedOptions, prepare: () => Plan) => void;

/** Makes the NsChildProcess for checked options and starts it (prepare reads the target); every
 *  failure after the argument checks is its 'error'. @internal */
export function startChild(o: CheckedOptions, prepare: () => Plan): NsChildProcess {
  const child = new NsChildProcess(o);
  start(child, o, prepare);
  return child;
}

/**
 * A program started inside a target's namespaces. It behaves as Node's ChildProcess and is
 * assignable to it: `pid` is the program's host pid (undefined when it did not start), `kill()`
 * signals the program itself through a pidfd (never a stranger after reuse), and it emits
 * 'spawn', 'exit', 'close', 'error' in Node's order. It has no IPC channel.
 */
export class NsChildProcess extends ChildProcessBase {
  #raw: RawChild | undefined;
  #exited = false;
  #openStreams = 0;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #abort: (() => void) | undefined;
  #signal: AbortSignal | undefined;
  #killSignal: number;
  #ptyFd = -1;
  /** The start pipe until EOF: the program's execve is not known to have happened yet. */
  #starting: Socket | undefined;
  #startFailure: NsError | undefined;
  #exitBeforeStart: [number | null, number | null] | undefined;

  static {
    start = (child, o, prepare) => child.#start(o, prepare);
  }

  /**
   * Sets the window size of the program's pty, in character cells; the program gets SIGWINCH.
   * @throws TypeError without a pty (or once it is closed); RangeError for sizes outside 1-65535.
   */
  resize(cols: number, rows: number): void {
    const size = checkPtySize({ cols, rows }, 'resize');
    if (this.#ptyFd < 0) throw new TypeError('resize: this program has no open pty');
    resizePty(this.#ptyFd, size);
  }

  /** @internal use spawn() */
  constructor(o: CheckedOptions) {
    super(o.file, [o.argv0, ...o.args]);
    this.#killSignal = o.killSignal;
    this.#signal = o.signal;
  }

  // Reads the target (prepare) and starts the program; every failure becomes 'error'.
  #start(o: CheckedOptions, prepare: () => Plan): void {
    const kinds = o.pty ? [] : o.stdio;
    let started: Launched;
    try {
      if (this.#signal?.aborted) throw abortError(this.#signal);
      started = launch(prepare, o);
    } catch (err) {
      // Not started at all: the caller still gets its streams, which end at once (as Node's do).
      this.#attachStreams(pipesThatEnd(kinds));
      this.#failStart(err as Error);
      return;
    }
    const { plan, result, parentFds, pty } = started;
    this.namespaces = [...plan.joined];
    if (pty) this.#attachPty(pty.master, pty.info);
    this.#attachStreams(parentFds);
    if (isNativeFailure(result)) return this.#failStart(startError(plan, result.step, result.errno, result.arg));
    this.pid = result.pid;
    this.#raw = new (binding().Child)(result.pidfd);
    this.#raw.watch((code, sig) => this.#onExit(code, sig));
    this.#starting = watchStart(result.startFd, (failure) => this.#onStart(plan, failure));
    if (o.timeout > 0) {
      this.#timer = setTimeout(() => {
        try {
          this.kill(this.#killSignal);
        } catch (err) {
          this.emit('error', err);
        }
      }, o.timeout);
    }
    if (this.#signal) {
      const signal = this.#signal;
      // As Node: the AbortError comes only when the signal reached the program.
      this.#abort = () => {
        if (this.kill(this.#killSignal)) this.emit('error', abortError(signal));
      };
      signal.addEventListener('abort', this.#abort, { once: true });
    }
  }

  #attachPty(master: number, info: PtyInfo): void {
    this.#ptyFd = master;
    this.ptyInfo = info;
    this.pty = ptyStream(master);
    this.#openStreams++;
    this.pty.once('close', () => {
      this.#ptyFd = -1;
      this.#openStreams--;
      this.#maybeClose();
    });
  }

  // The start pipe reached EOF: 'spawn' once execve worked, else the failure as 'error' once the
  // program (it exits 127 right after its report) is reaped, so that no zombie outlives 'error';
  // its exit is not reported, as when nothing was started.
  #onStart(plan: Plan, failure: StartFailure | null): void {
    this.#starting = undefined;
    if (failure) {
      this.#startFailure = startError(plan, failure.step, failure.errno, failure.arg);
      this.#cleanup();
    } else {
      this.emit('spawn');
    }
    const early = this.#exitBeforeStart;
    this.#exitBeforeStart = undefined;
    if (early) this.#onExit(early[0], early[1]);
  }

  #attachStreams(parentFds: Array<number | null>): void {
    const streams = streamsFor(parentFds, () => {
      this.#openStreams--;
      this.#maybeClose();
    });
    this.#openStreams += streams.filter((st) => st !== null).length;
    streams.forEach((st, i) => {
      (this.stdio as unknown[])[i] = st;
    });
    this.stdin = this.stdio[0];
    this.stdout = this.stdio[1];
    this.stderr = this.stdio[2];
  }

  #failStart(err: Error): void {
    // As child_process: 'error' asynchronously, no 'exit', then 'close' once the streams ended.
    this.#exited = true;
    const errno = (err as NodeJS.ErrnoException).errno;
    if (typeof errno === 'number' && errno < 0) this.exitCode = errno;
    if (err instanceof NsError || (err as NodeJS.ErrnoException).syscall !== undefined) {
      Object.assign(err, { spawnargs: this.spawnargs.slice(1) });
    }
    this.stdin?.destroy();
    process.nextTick(() => {
      this.emit('error', err);
      process.nextTick(() => flushUnread([...this.stdio.slice(1), this.pty]));
      this.#maybeClose();
    });
  }

  #onExit(code: number | null, sig: number | null): void {
    if (this.#starting) {
      this.#exitBeforeStart = [code, sig];
      return;
    }
    const failure = this.#startFailure;
    if (failure) {
      // As child_process: a program that did not start has no pid (it was set while its start
      // was pending, so that kill() and timeouts reach it).
      this.pid = undefined;
      this.#failStart(failure);
      return;
    }
    this.#exited = true;
    this.exitCode = code;
    this.signalCode = sig === null ? null : (signalName(sig) as NodeJS.Signals);
    this.#cleanup();
    // As Node: stdin is destroyed (the program's end is closed), the unread outputs flushed.
    if (this.stdin && !this.stdin.destroyed) this.stdin.destroy();
    this.emit('exit', this.exitCode, this.signalCode);
    process.nextTick(() => flushUnread([...this.stdio.slice(1), this.pty]));
    this.#maybeClose();
  }

  #cleanup(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#abort) this.#signal?.removeEventListener('abort', this.#abort);
    this.#timer = undefined;
    this.#abort = undefined;
  }

  #maybeClose(): void {
    if (this.#closed || !this.#exited || this.#openStreams > 0) return;
    this.#closed = true;
    process.nextTick(() => this.emit('close', this.exitCode, this.signalCode));
  }

  /**
   * Sends a signal to the program itself (through its pidfd). Returns true when it was delivered,
   * false once it exited. Names in any case and numbers Node knows, as child_process.
   * @throws TypeError ERR_UNKNOWN_SIGNAL for anything else.
   */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    const num = signal === 0 ? 0 : toSignal(signal);
    if (!this.#raw || this.#exited) return false;
    const failure = this.#raw.kill(num);
    if (failure === undefined) {
      this.killed = true;
      return true;
    }
    if (failure.errno !== E.ESRCH) this.emit('error', nativeError(failure, { syscall: 'kill' }));
    return false;
  }

  /** kill('SIGTERM'), for `using`. */
  [Symbol.dispose](): void {
    if (!this.killed) this.kill();
  }

  /** Lets the event loop exit while the program runs; piped streams still hold it, as in Node. */
  unref(): void {
    this.#raw?.unref();
    this.#starting?.unref();
  }

  /** Undoes unref(). */
  ref(): void {
    this.#raw?.ref();
    this.#starting?.ref();
  }
}
