// The spec of "behaves as child_process": the same scenarios through node:child_process and
// nsjoin (target = our own pid, so nothing is joined), compared on what a caller observes:
// events in order, fields of errors and results, exit codes. The deliberate differences (README,
// "Differences from child_process") are the only fields left out: a start failure's syscall and
// message ('execve ...' instead of 'spawn FILE') and the fields nsjoin adds (name, pid).
import * as cp from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ns from '../lib/index.js';

const ME = process.pid;
type Spawn = (file: string, args: string[], options: object) => cp.ChildProcess | ns.NsChildProcess;
const node: Spawn = (f, a, o) => cp.spawn(f, a, o as cp.SpawnOptions);
const ours: Spawn = (f, a, o) => ns.spawn(ME, f, a, o as ns.JoinOptions);

/** What a caller sees of a spawn: its events in order, with their arguments, and its output. */
async function observe(
  child: cp.ChildProcess | ns.NsChildProcess,
  act?: (c: typeof child) => void,
): Promise<{ events: unknown[]; out: string; fields: unknown }> {
  const events: unknown[] = [];
  let out = '';
  child.on('spawn', () => events.push('spawn'));
  child.on('exit', (code, signal) => events.push(['exit', code, signal]));
  // NsError is ours (a deliberate difference): Node's is a plain Error.
  child.on('error', (e: NodeJS.ErrnoException) =>
    events.push(['error', e.name === 'NsError' ? 'Error' : e.name, e.code, e.errno, e.path, (e as { spawnargs?: string[] }).spawnargs]),
  );
  child.stdout?.on('data', (b) => {
    out += b;
  });
  child.stdout?.on('end', () => events.push('stdout end'));
  child.stderr?.on('end', () => events.push('stderr end'));
  act?.(child);
  await new Promise<void>((resolve) =>
    child.on('close', (code, signal) => {
      events.push(['close', code, signal]);
      resolve();
    }),
  );
  // Stream 'end' and the process events interleave by chance across the two: compare each in order.
  const streams = events.filter((e) => typeof e === 'string' && e.endsWith(' end'));
  const proc = events.filter((e) => !(typeof e === 'string' && e.endsWith(' end')));
  return {
    events: [proc, streams.sort()],
    out,
    fields: {
      exitCode: child.exitCode,
      signalCode: child.signalCode,
      killed: child.killed,
      spawnfile: child.spawnfile,
      spawnargs: child.spawnargs,
      stdio: child.stdio.map((s) => (s === null ? null : typeof s)),
    },
  };
}

async function same(
  file: string,
  args: string[],
  options: object = {},
  act?: (c: cp.ChildProcess | ns.NsChildProcess) => void,
): Promise<void> {
  const a = await observe(node(file, args, options), act);
  const b = await observe(ours(file, args, options), act);
  assert.equal(b, a);
}

test('spawn: exit 0, exit 3, events in order and fields', async () => {
  await same('sh', ['-c', 'echo hi']);
  await same('sh', ['-c', 'echo out; echo err >&2; exit 3']);
});

test('spawn: killed by a signal, kill() with a lower-case name', async () => {
  await same('sleep', ['5'], {}, (c) => c.on('spawn', () => c.kill('sigkill' as NodeJS.Signals)));
  await same('sleep', ['5'], {}, (c) => c.on('spawn', () => c.kill()));
});

test('spawn: a missing program is an async error with exitCode -2, ends its streams, no exit event', async () => {
  await same('/no/such/program', ['a', 'b']);
  await same('/no/such/program', [], { stdio: ['pipe', 'ignore', 'inherit', 'pipe'] });
});

test('spawn: timeout and killSignal, AbortSignal', async () => {
  await same('sleep', ['5'], { timeout: 50, killSignal: 'SIGINT' });
  const ac1 = new AbortController(),
    ac2 = new AbortController();
  const a = await observe(node('sleep', ['5'], { signal: ac1.signal }), (c) => c.on('spawn', () => ac1.abort()));
  const b = await observe(ours('sleep', ['5'], { signal: ac2.signal }), (c) => c.on('spawn', () => ac2.abort()));
  assert.equal(b, a);
});

test('spawn: Node option names: shell, detached, uid/gid, env coerced, URL cwd, overlapped, Windows-only, args left out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsjoin-cp-'));
  try {
    await same('echo', ['$0', '"a  b"', '$((1+2))'], { shell: true });
    await same('echo $0', [], { shell: '/bin/bash' });
    // A new session: the program leads it (field 6 of /proc/self/stat is the session id).
    await same('sh', ['-c', 'test "$(cut -d" " -f6 /proc/$$/stat)" = $$ && echo leader'], { detached: true });
    await same('sh', ['-c', 'id -u; id -g; id -G'], { uid: 65534, gid: 65534 });
    await same('sh', ['-c', 'echo $N $B $U'], { env: { N: 42, B: true, U: undefined, PATH: process.env.PATH } });
    await same('pwd', [], { cwd: pathToFileURL(dir) });
    await same('sh', ['-c', 'echo x'], {
      stdio: ['overlapped', 'overlapped', 'pipe'],
      windowsHide: true,
      windowsVerbatimArguments: false,
      serialization: 'json',
    });
    const a = await observe(cp.spawn('pwd', { cwd: dir }));
    const b = await observe(ns.spawn(ME, 'pwd', { cwd: dir }));
    assert.equal(b, a);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('spawn: a Stream with an fd in stdio', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsjoin-cp-'));
  try {
    const outs: string[] = [];
    for (const run of [node, ours]) {
      const file = join(dir, `out-${outs.length}`);
      const ws = createWriteStream(file);
      await once(ws, 'open');
      await observe(run('echo', ['to-stream'], { stdio: ['ignore', ws, 'inherit'] }));
      ws.close();
      outs.push(readFileSync(file, 'utf8'));
    }
    assert.equal(outs, ['to-stream\n', 'to-stream\n']);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('kill: unknown signals are ERR_UNKNOWN_SIGNAL TypeErrors, as Node (names, 40), kill(0) probes', async () => {
  for (const make of [() => cp.spawn('sleep', ['5']), () => ns.spawn(ME, 'sleep', ['5'])]) {
    const c = make();
    await once(c, 'spawn');
    for (const sig of ['BOGUS', 40, 'SIGRTMIN']) {
      assert.throws(
        () => c.kill(sig as NodeJS.Signals),
        (e: NodeJS.ErrnoException) => e instanceof TypeError && e.code === 'ERR_UNKNOWN_SIGNAL',
        String(sig),
      );
    }
    assert.is(c.kill(0), true);
    assert.is(c.killed, true);
    c.kill('SIGKILL');
    await once(c, 'close');
    assert.is(c.kill(), false);
  }
  assert.throws(
    () => ns.spawn(ME, 'true', [], { killSignal: 'SIGNOPE' as never }),
    (e: NodeJS.ErrnoException) => e.code === 'ERR_UNKNOWN_SIGNAL',
  );
});

const nodeExecFile = promisify(cp.execFile);

/** The fields Node's execFile puts on its error (and on the promisified one). */
function errorFields(e: unknown): unknown {
  const x = e as Record<string, unknown> & Error;
  const start = typeof x.code === 'string' && x.syscall !== undefined;
  return {
    ctor: x.constructor.name === 'NsError' ? 'Error' : x.constructor.name,
    errName: x.name === 'NsError' ? 'Error' : x.name,
    // A start failure's message names the step (deliberate difference); the rest must match.
    message: start ? undefined : x.message,
    code: x.code,
    errno: x.errno,
    killed: x.killed,
    signal: x.signal,
    cmd: x.cmd,
    path: x.path,
    spawnargs: x.spawnargs,
    stdout: x.stdout,
    stderr: x.stderr,
  };
}

async function sameExecFile(file: string, args: string[], options: object = {}): Promise<void> {
  const a = await nodeExecFile(file, args, options as cp.ExecFileOptions).then(
    (r) => ({ ok: { ...r } }),
    (e) => ({ err: errorFields(e) }),
  );
  const b = await ns.execFile(ME, file, args, options as ns.ExecFileOptions).then(
    (r) => ({ ok: { ...r } }),
    (e) => ({ err: errorFields(e) }),
  );
  assert.equal(b, a, `${file} ${args.join(' ')}`);
}

test('execFile (promisified): success, non-zero exit, timeout, start failure, maxBuffer, encodings', async () => {
  await sameExecFile('sh', ['-c', 'echo out; echo err >&2']);
  await sameExecFile('sh', ['-c', 'echo out; echo err >&2; exit 3']);
  await sameExecFile('sleep', ['5'], { timeout: 50 });
  await sameExecFile('/no/such/program', ['x']);
  await sameExecFile('sh', ['-c', 'head -c 5000 /dev/zero'], { maxBuffer: 100 });
  await sameExecFile('echo', ['bytes'], { encoding: 'buffer' });
  await sameExecFile('echo', ['bytes'], { encoding: null });
  await sameExecFile('echo', ['hex'], { encoding: 'hex' });
  await sameExecFile('echo', ['$0'], { shell: true });
  await sameExecFile('sleep', ['5'], { signal: AbortSignal.timeout(50) });
});

test('execFile: PromiseWithChild, util.promisify(execFile), the callback form, (file, options) and null options', async () => {
  const p = ns.execFile(ME, 'sh', ['-c', 'echo $$']);
  assert.instance(p.child, ns.NsChildProcess);
  const { stdout } = await p;
  assert.is(Number(stdout), p.child.pid);
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- promisify(execFile) is execFile itself, which is the point
  const viaPromisify = promisify(ns.execFile) as unknown as typeof ns.execFile;
  assert.is(viaPromisify, ns.execFile);
  assert.equal(await ns.execFile(ME, 'pwd', { cwd: '/' }), { stdout: '/\n', stderr: '' });
  assert.equal(await ns.execFile(ME, 'pwd', null, null), { stdout: `${process.cwd()}\n`, stderr: '' });
  const viaCallback = await new Promise<unknown[]>((resolve) => {
    const child = ns.execFile(ME, 'sh', ['-c', 'echo o; exit 4'], {}, (err, out, errOut) =>
      resolve([errorFields(err), out, errOut, child instanceof ns.NsChildProcess]),
    );
  });
  const nodeCallback = await new Promise<unknown[]>((resolve) => {
    const child = cp.execFile('sh', ['-c', 'echo o; exit 4'], {}, (err, out, errOut) =>
      resolve([errorFields(err), out, errOut, child instanceof cp.ChildProcess]),
    );
  });
  assert.equal(viaCallback, nodeCallback);
});

test('failures after the argument checks are asynchronous: a dead target, an unknown container', async () => {
  const dead = cp.spawnSync('true').pid!; // reaped: no such process (pids are not reused this fast)
  const c = ns.spawn(dead, 'true');
  const err = await new Promise<NodeJS.ErrnoException>((resolve) => c.on('error', resolve));
  assert.is(err.code, 'ESRCH');
  await once(c, 'close');
  assert.is(c.stdout === null, false, 'streams exist, as for any start failure');
  await ns.execFile(dead, 'true').then(
    () => assert.unreachable(),
    (e: NodeJS.ErrnoException) => assert.is(e.code, 'ESRCH'),
  );
  await ns.execFile({ container: 'no-such-container-anywhere' }, 'true').then(
    () => assert.unreachable(),
    (e: NodeJS.ErrnoException) => assert.ok(typeof e.code === 'string'),
  );
  const r = ns.spawnSync(dead, 'true');
  assert.is((r.error as NodeJS.ErrnoException).code, 'ESRCH');
  // The shape of this Node's own start failure (stdout null up to Node 20, undefined from 22).
  const node = cp.spawnSync('/nonexistent/nsjoin-conformance');
  assert.equal(
    [r.status, r.signal, r.output, r.pid, r.stdout, r.stderr],
    [node.status, node.signal, node.output, node.pid, node.stdout, node.stderr],
  );
  // Argument errors stay synchronous TypeErrors, as in Node.
  assert.throws(
    () => ns.spawn(dead, 'true', [], { bogus: 1 } as never),
    (e: unknown) => e instanceof TypeError,
  );
  assert.throws(
    () => ns.execFile(dead, 'true', [], { stdio: 'pipe' } as never),
    (e: unknown) => e instanceof TypeError,
  );
  assert.throws(
    () => ns.spawn(dead, 'true', [], { stdio: ['ipc'] }),
    (e: unknown) => e instanceof TypeError,
  );
});

/** spawnSync's result with the fields compared (a start failure's syscall/message are ours). */
function syncFields(r: cp.SpawnSyncReturns<string | Buffer> | ns.SpawnSyncResult<string | Buffer>): unknown {
  const e = r.error as (NodeJS.ErrnoException & { spawnargs?: string[] }) | undefined;
  return {
    status: r.status,
    signal: r.signal,
    pid: r.pid === 0 ? 0 : 'pid',
    output: r.output,
    stdout: r.stdout,
    stderr: r.stderr,
    error: e && {
      code: e.code,
      errno: e.errno,
      path: e.path,
      spawnargs: e.spawnargs,
      syscall: e.syscall?.startsWith('spawnSync') ? e.syscall : undefined,
    },
  };
}

test('spawnSync: output, inherit/ignore nulls, start failure, timeout, maxBuffer, encoding, input', () => {
  const cases: Array<[string, string[], object]> = [
    ['sh', ['-c', 'echo out; echo err >&2; exit 2'], {}],
    ['true', [], { stdio: 'inherit' }],
    ['true', [], { stdio: ['pipe', 'ignore', 'pipe'] }],
    ['/no/such/program', ['z'], {}],
    ['sleep', ['5'], { timeout: 50 }],
    ['echo', ['text'], { encoding: 'utf8' }],
    ['cat', [], { input: 'fed in', encoding: 'latin1' }],
    ['echo', ['$0'], { shell: true, encoding: 'utf8' }],
  ];
  for (const [file, args, options] of cases) {
    const a = syncFields(cp.spawnSync(file, args, options as cp.SpawnSyncOptions));
    const b = syncFields(ns.spawnSync(ME, file, args, options as ns.SpawnSyncOptions));
    const ours = b as { error?: { syscall?: string } };
    // A start failure names its step (execve), Node names the call.
    if (file.startsWith('/no/')) (a as { error: { syscall?: string } }).error.syscall = ours.error?.syscall;
    assert.equal(b, a, `${file} ${JSON.stringify(options)}`);
  }
  // maxBuffer: the same error and kill; Node keeps the whole last chunk read, nsjoin exactly maxBuffer bytes.
  // (The program lives on after its output, so that the kill is what ends it in both.)
  const a = cp.spawnSync('sh', ['-c', 'head -c 5000 /dev/zero; exec sleep 5'], { maxBuffer: 100 });
  const b = ns.spawnSync(ME, 'sh', ['-c', 'head -c 5000 /dev/zero; exec sleep 5'], { maxBuffer: 100 });
  const shape = (r: typeof a | typeof b) => [
    r.status,
    r.signal,
    (r.error as NodeJS.ErrnoException).code,
    (r.error as { spawnargs?: string[] }).spawnargs,
    r.stdout!.length >= 100,
  ];
  assert.equal(shape(b), shape(a));
  assert.is(b.stdout!.length, 100);
});

/** Runs a small script (ESM, through tsx as the tests are) in a fresh Node, for what only process exit shows. */
function script(body: string): { status: number | null; ms: number; stdout: string; stderr: string } {
  const lib = new URL('../lib/index.ts', import.meta.url).href;
  const file = join(mkdtempSync(join(tmpdir(), 'nsjoin-cp-')), 'script.mts');
  writeFileSync(
    file,
    `import * as cp from 'node:child_process'; import * as ns from '${lib}';\nconst t0 = Date.now(); process.on('exit', () => console.log('ms', Date.now() - t0));\n${body}`,
  );
  try {
    const r = cp.spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 30_000 });
    // Measured from the script's first line: tsx's start-up is not the program's lifetime.
    return { status: r.status, ms: Number(/^ms (\d+)$/m.exec(r.stdout)?.[1] ?? NaN), stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dirname(file), { recursive: true });
  }
}

test('unref(): piped streams keep Node alive until the program ends; without pipes it exits at once', () => {
  const spawners = { node: `cp.spawn`, ours: `((f, a, o) => ns.spawn(process.pid, f, a, o))` };
  const seen: Record<string, unknown> = {};
  for (const [who, fn] of Object.entries(spawners)) {
    const piped = script(`${fn}('sleep', ['1'], {}).unref();`);
    const bare = script(`${fn}('sleep', ['1'], { stdio: 'ignore' }).unref();`);
    seen[who] = [piped.status, piped.ms >= 900, bare.status, bare.ms >= 900];
  }
  assert.equal(seen.ours, seen.node);
  assert.equal(seen.node, [0, true, 0, false]);
});

test('EPIPE on stdin with no error listener is thrown, as Node', () => {
  // The program closes its stdin and lives on: our writes get EPIPE.
  const body = (fn: string) =>
    `const c = ${fn}('sh', ['-c', 'exec 0<&-; sleep 1'], {}); c.on('spawn', () => setTimeout(() => c.stdin.write(Buffer.alloc(1 << 16)), 200));`;
  const a = script(body('cp.spawn'));
  const b = script(body('((f, a, o) => ns.spawn(process.pid, f, a, o))'));
  assert.equal([b.status, /EPIPE|ERR_STREAM_DESTROYED/.exec(b.stderr)?.[0]], [a.status, /EPIPE|ERR_STREAM_DESTROYED/.exec(a.stderr)?.[0]]);
});

test.run();
