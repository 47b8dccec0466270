// Type test, compiled by `npm test` (npm run typecheck; never run): nsjoin's spawn family is
// assignable where code written for node:child_process expects Node's types, and its encoding
// overloads are sound. A line marked @ts-expect-error must stay an error.
import type * as cp from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import {
  execFile,
  spawn,
  spawnSync,
  type ExecFileError,
  type ExecFileOptions,
  type JoinOptions,
  type NsChildProcess,
  type SpawnSyncOptions,
} from '../lib/index.js';

declare const target: number;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const is = <T extends true>(_: T): void => {};

// NsChildProcess where a ChildProcess is expected.
const child: cp.ChildProcess = spawn(target, 'true');
const again: NsChildProcess = spawn(target, 'true', { cwd: new URL('file:///') });
const takesChild = (c: cp.ChildProcess): number | undefined => c.pid;
takesChild(again);
// Typed events, as Node's.
again.on('exit', (code, signal) => {
  is<Equal<typeof code, number | null>>(true);
  is<Equal<typeof signal, NodeJS.Signals | null>>(true);
});
again.once('error', (err) => {
  is<Equal<typeof err, Error>>(true);
});
// The stdio tuple.
const [i0, o1, e2] = again.stdio;
is<Equal<typeof i0, Writable | null>>(true);
is<Equal<typeof o1, Readable | null>>(true);
is<Equal<typeof e2, Readable | null>>(true);
void child;

// Node's option objects are accepted as they are.
declare const spawnOptions: cp.SpawnOptions;
declare const execFileOptions: cp.ExecFileOptions;
declare const syncOptions: cp.SpawnSyncOptions;
const asJoin: JoinOptions = spawnOptions;
const asExec: ExecFileOptions = execFileOptions;
const asSync: SpawnSyncOptions = syncOptions;
void asJoin;
void asExec;
void asSync;
spawn(target, 'ls', {
  detached: true,
  shell: true,
  uid: 0,
  gid: 0,
  windowsHide: true,
  serialization: 'json',
  stdio: ['overlapped', process.stdout, 'inherit'],
});
// @ts-expect-error: names Node does not know are refused
spawn(target, 'ls', [], { bogus: true });

// execFile: a PromiseWithChild, a callback form, util.promisify.
const p: cp.PromiseWithChild<{ stdout: string; stderr: string }> = execFile(target, 'ls', ['-l']);
// eslint-disable-next-line @typescript-eslint/no-misused-promises -- the promisified type is what this checks
const viaPromisify: cp.PromiseWithChild<{ stdout: string; stderr: string }> = promisify(execFile)(target, 'ls', ['-l']);
void p;
void viaPromisify;
const asNodeCallback: cp.ChildProcess = execFile(target, 'ls', [], {}, (err, stdout) => {
  const nodeErr: cp.ExecFileException | null = err;
  is<Equal<typeof stdout, string>>(true);
  void nodeErr;
});
void asNodeCallback;
const e = {} as ExecFileError;
const asNodeErr: cp.ExecFileException = e;
void asNodeErr;

// Sound encoding overloads: the output type follows the encoding, and a variable that may be
// either gives either.
async function encodings(enc: BufferEncoding | 'buffer', maybe: ExecFileOptions): Promise<void> {
  const utf = await execFile(target, 'ls');
  is<Equal<typeof utf.stdout, string>>(true);
  const buf = await execFile(target, 'ls', [], { encoding: 'buffer' });
  is<Equal<typeof buf.stdout, Buffer>>(true);
  const nul = await execFile(target, 'ls', [], { encoding: null });
  is<Equal<typeof nul.stdout, Buffer>>(true);
  const either = await execFile(target, 'ls', [], { encoding: enc });
  is<Equal<typeof either.stdout, string | Buffer>>(true);
  const unknown = await execFile(target, 'ls', [], maybe);
  is<Equal<typeof unknown.stdout, string | Buffer>>(true);
  const s1 = spawnSync(target, 'ls');
  is<Equal<typeof s1.stdout, Buffer | null>>(true);
  const s2 = spawnSync(target, 'ls', [], { encoding: 'utf8' });
  is<Equal<typeof s2.stdout, string | null>>(true);
  const s3 = spawnSync(target, 'ls', [], { encoding: enc });
  is<Equal<typeof s3.stdout, string | Buffer | null>>(true);
}
void encodings;
