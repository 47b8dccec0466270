// The start pipe (native/spawn.cc): the program writes {step, errno, arg, value} there when a step
// before its execve fails (for the credentials: step 'creds', arg the credential step, value its
// argument), and nothing at all when execve works, so EOF with no bytes means it
// started. Node reads it without ever waiting on the program, which the target can stop at will.
import { readSync } from 'node:fs';
import { Socket } from 'node:net';
import { endianness } from 'node:os';
import { binding } from './binding.js';
import { closeFd } from './fd.js';

/** Why the program did not start: the addon's step name (a credential step by its own name,
 *  such as 'capset' or 'setuid'), errno and step argument. */
export interface StartFailure {
  step: string;
  errno: number;
  arg: number;
}

const REPORT_BYTES = 16;

/** Decodes what was read from the start pipe: null when empty (execve worked). */
export function decodeStart(buf: Buffer): StartFailure | null {
  if (buf.length < REPORT_BYTES) return null;
  const le = endianness() === 'LE';
  const int = (i: number) => (le ? buf.readInt32LE(i * 4) : buf.readInt32BE(i * 4));
  const { spawnSteps, credsSteps } = binding();
  const step = spawnSteps[int(0)] ?? 'spawn';
  if (step === 'creds') return { step: credsSteps[int(2)] ?? 'creds', errno: int(1), arg: int(3) };
  return { step, errno: int(1), arg: int(2) };
}

/**
 * Reads the start pipe on the event loop and calls `done` once, at EOF. Returns the stream so
 * that its caller can ref/unref it with the child.
 */
export function watchStart(fd: number, done: (failure: StartFailure | null) => void): Socket {
  const chunks: Buffer[] = [];
  const s = new Socket({ fd, readable: true, writable: false });
  s.on('data', (b: Buffer) => chunks.push(b));
  s.on('error', () => {
    /* read errors end it like EOF; the exit is reported all the same */
  });
  s.once('close', () => done(decodeStart(Buffer.concat(chunks))));
  return s;
}

/** For spawnSync, once the program has exited (then no writer is left): reads and closes. */
export function readStartSync(fd: number): StartFailure | null {
  const buf = Buffer.alloc(REPORT_BYTES);
  let n = 0;
  try {
    for (let r; n < REPORT_BYTES && (r = readSync(fd, buf, n, REPORT_BYTES - n, null)) > 0;) n += r;
  } finally {
    closeFd(fd);
  }
  return decodeStart(buf.subarray(0, n));
}
