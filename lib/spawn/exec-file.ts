// execFile's core: starts the program, collects its output, settles as Node's execFile callback
// does (lib/spawn.ts has the public overloads).
import type { Readable } from 'node:stream';
import type { NsError } from '../errors.js';
import { startChild, type NsChildProcess } from './child.js';
import type { Internal } from './internal.js';
import type { CheckedOptions } from './options.js';
import { makePlan } from './plan.js';
import type { ExecFileError } from './types.js';

type Output = { stdout: string | Buffer; stderr: string | Buffer };

/** Starts the program; `done` resolves with its output or rejects with an ExecFileError. */
export function runExecFile(
  pid: number | NsError,
  o: CheckedOptions,
  internal: Internal,
): { child: NsChildProcess; done: Promise<Output> } {
  // The timeout is execFile's own (below): it also destroys the streams before the kill.
  let child!: NsChildProcess;
  const cmd = [o.file, ...o.args].join(' ');
  const done = new Promise<Output>((resolve, reject) => {
    const out: Buffer[] = [],
      err: Buffer[] = [];
    let outLen = 0,
      errLen = 0,
      ex: Error | undefined,
      killed = false,
      settled = false,
      timer: NodeJS.Timeout | undefined;
    const decode = (chunks: Buffer[]) => (o.encoding === undefined ? Buffer.concat(chunks) : Buffer.concat(chunks).toString(o.encoding));
    const kill = () => {
      child.stdout?.destroy();
      child.stderr?.destroy();
      killed = true;
      try {
        child.kill(o.killSignal);
      } catch (e) {
        ex = e as Error;
        settle(null, null);
      }
    };
    const settle = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      const stdout = decode(out),
        stderr = decode(err);
      if (!ex && code === 0 && signal === null) return resolve({ stdout, stderr });
      const e = (ex ??
        Object.assign(new Error(`Command failed: ${cmd}\n${stderr.toString()}`), {
          code,
          killed: child.killed || killed,
          signal,
        })) as ExecFileError<string | Buffer>;
      reject(Object.assign(e, { cmd, stdout, stderr }));
    };
    // Its events all come later than this (Node's order): the listeners are in time.
    child = startChild(Object.freeze({ ...o, timeout: 0 }), () => makePlan(pid, o, internal));
    child.on('error', (e) => {
      ex = e;
      child.stdout?.destroy();
      child.stderr?.destroy();
      settle(null, null);
    });
    child.on('close', (code, signal) => settle(code, signal));
    const collect = (stream: Readable | null, chunks: Buffer[], which: 'stdout' | 'stderr') => {
      stream?.on('data', (b: Buffer) => {
        const len = which === 'stdout' ? (outLen += b.length) : (errLen += b.length);
        if (len > o.maxBuffer) {
          chunks.push(b.subarray(0, b.length - (len - o.maxBuffer)));
          ex = Object.assign(new RangeError(`${which} maxBuffer length exceeded`), { code: 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' });
          kill();
        } else chunks.push(b);
      });
    };
    collect(child.stdout, out, 'stdout');
    collect(child.stderr, err, 'stderr');
    if (child.stdin) {
      // Our own write: a program that exits without reading its input is not an error (EPIPE).
      child.stdin.on('error', () => {});
      child.stdin.end(o.input);
    }
    if (o.timeout > 0 && child.pid !== undefined) timer = setTimeout(kill, o.timeout);
  });
  return { child, done };
}
