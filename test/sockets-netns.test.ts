// connectIn / listenIn against a test-made network namespace: a service on the namespace's own
// loopback reached from here (and not on ours), a server of ours reached by a program inside,
// Unix sockets deep in the target's filesystem (paths past sun_path's 108 bytes), errors.
import { execFile as execFileCb } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connectIn, execFile, listenIn } from '../lib/index.js';
import { startTarget, type Target } from './helpers/target.js';

const run = promisify(execFileCb);
const PORT = 20000 + Math.floor(Math.random() * 20000);
const LONG_DIR = `/mnt/${'a'.repeat(60)}/${'b'.repeat(60)}/${'c'.repeat(60)}`;
const LONG_SOCK = `${LONG_DIR}/echo.sock`;
let t: Target;
let dir: string;

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nsjoin-sockets-'));
  const server = join(dir, 'server.cjs');
  // Inside the target: a TCP echo on its loopback only, and a Unix echo at a path too long for
  // sun_path (bound relative to its directory, which is how a program inside can do it).
  writeFileSync(
    server,
    `
const net = require('net'), fs = require('fs');
const echo = (tag) => (s) => s.on('data', (d) => s.write(tag + ':' + d));
net.createServer(echo('tcp-inside')).listen(${PORT}, '127.0.0.1', () => {
  net.createServer(echo('tcp6-inside')).listen(${PORT}, '::1', () => {
    process.chdir(${JSON.stringify(LONG_DIR)});
    net.createServer(echo('unix-inside')).listen('echo.sock', () => fs.writeFileSync('/mnt/ready', ''));
  });
});
`,
  );
  t = await startTarget({
    ns: ['net', 'pid', 'mnt', 'uts', 'ipc'],
    setup: [
      'ip link set lo up',
      'ip link add nsjv0 type veth peer name nsjv1 && ip addr add 10.77.0.1/24 dev nsjv0 && ip link set nsjv0 up && ip link set nsjv1 up',
      'mount -t tmpfs tmpfs /mnt',
      `mkdir -p ${LONG_DIR}`,
      `${process.execPath} ${server} &`,
      'i=0; while [ ! -e /mnt/ready ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done',
    ].join('\n'),
  });
});
test.after(() => {
  t?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function roundTrip(s: Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
      if (got.endsWith(text)) {
        s.end();
        resolve(got);
      }
    });
    s.on('error', reject);
    s.write(text);
  });
}

function refusedHere(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

test("a service on the namespace's 127.0.0.1 is reached with connectIn, not on our loopback", async () => {
  assert.is(await refusedHere(PORT), 'ECONNREFUSED', 'nothing listens on our own loopback');
  const s = await connectIn(t.pid, { host: '127.0.0.1', port: PORT });
  assert.is(s.remoteAddress, '127.0.0.1');
  assert.is(s.remotePort, PORT);
  assert.is(await roundTrip(s, 'hello'), 'tcp-inside:hello');
  // The default host is the target's loopback; a name is looked up on the host.
  assert.is(await roundTrip(await connectIn(t.pid, { port: PORT }), 'x'), 'tcp-inside:x');
  assert.is(await roundTrip(await connectIn(t.pid, { host: 'localhost', family: 4, port: PORT }), 'y'), 'tcp-inside:y');
  assert.is(await roundTrip(await connectIn(t.pid, { host: '::1', port: PORT }), 'v6'), 'tcp6-inside:v6');
});

test('the namespace is joined by a throwaway thread: every thread of ours stays in our own', async () => {
  const ours = readlinkSync('/proc/self/ns/net');
  const sockets = await Promise.all(Array.from({ length: 20 }, () => connectIn(t.pid, { port: PORT })));
  for (const s of sockets) s.destroy();
  for (const task of readdirSync('/proc/self/task')) {
    assert.is(readlinkSync(`/proc/self/task/${task}/ns/net`), ours, `thread ${task}`);
  }
});

test('a listenIn server is reached by a program inside the namespace, not from our loopback', async () => {
  const server = await listenIn(t.pid, { host: '127.0.0.1', port: 0 });
  const { port } = server.address() as { port: number };
  server.on('connection', (c) => c.end('served-from-host\n'));
  try {
    const { stdout } = await execFile(t.pid, process.execPath, ['-e', `require('net').connect(${port}, '127.0.0.1').pipe(process.stdout)`]);
    assert.is(stdout, 'served-from-host\n');
    assert.is(await refusedHere(port), 'ECONNREFUSED');
  } finally {
    server.close();
  }
  // Every address of the namespace by default (dual stack where it has IPv6).
  const any = await listenIn(t.pid, { port: 0 });
  any.on('connection', (c) => c.end('any\n'));
  try {
    const p = (any.address() as { port: number }).port;
    const { stdout } = await execFile(t.pid, process.execPath, ['-e', `require('net').connect(${p}, '10.77.0.1').pipe(process.stdout)`]);
    assert.is(stdout, 'any\n');
  } finally {
    any.close();
  }
});

test("Unix sockets in the target's filesystem, past sun_path's 108 bytes", async () => {
  assert.ok(LONG_SOCK.length > 108, `path is ${LONG_SOCK.length} bytes`);
  const s = await connectIn(t.pid, { path: LONG_SOCK });
  assert.is(await roundTrip(s, 'deep'), 'unix-inside:deep');
  // A server of ours at a long path inside; a program inside reaches it by that path's directory.
  const server = await listenIn(t.pid, { path: `${LONG_DIR}/ours.sock` });
  server.on('connection', (c) => c.end('unix-served\n'));
  assert.is(server.address(), `${LONG_DIR}/ours.sock`);
  try {
    const { stdout } = await execFile(t.pid, process.execPath, [
      '-e',
      `process.chdir(${JSON.stringify(LONG_DIR)}); require('net').connect('ours.sock').pipe(process.stdout)`,
    ]);
    assert.is(stdout, 'unix-served\n');
  } finally {
    server.close();
  }
  // The path is the target's (a tmpfs of its own mount namespace): the host has no such file.
  assert.not.ok(existsSync(LONG_DIR));
  const err = await connectIn(t.pid, { path: '/mnt/ready-not-a-socket' }).catch((e: NodeJS.ErrnoException) => e);
  assert.is((err as NodeJS.ErrnoException).code, 'ENOENT');
});

test('errors are NsErrors with the errno: refused, unreachable in time, gone, bad arguments', async () => {
  const refused = await connectIn(t.pid, { port: PORT + 1 }).catch((e) => e);
  assert.is(refused.code, 'ECONNREFUSED');
  assert.is(refused.syscall, 'connect');
  assert.is(refused.pid, t.pid);
  // 10.77.0.2 would be behind a veth inside whose peer has no address: nobody answers.
  const started = Date.now();
  const late = await connectIn(t.pid, { host: '10.77.0.2', port: 80, timeout: 300 }).catch((e) => e);
  assert.is(late.code, 'ETIMEDOUT');
  assert.ok(Date.now() - started < 2000);
  const { stdout } = await run('sh', ['-c', 'sleep 0 & echo $!; wait']);
  const gone = await connectIn(Number(stdout.trim()), { port: PORT }).catch((e) => e);
  assert.is(gone.code, 'ESRCH');
  const bad: Array<[unknown, unknown, new (...a: never[]) => Error]> = [
    ['x', { port: PORT }, TypeError],
    [t.pid, null, TypeError],
    [t.pid, { port: 0 }, RangeError],
    [t.pid, { port: 70000 }, RangeError],
    [t.pid, { port: 1.5 }, RangeError],
    [t.pid, { host: '', port: 80 }, TypeError],
    [t.pid, { host: 5, port: 80 }, TypeError],
    [t.pid, { port: 80, family: 5 }, TypeError],
    [t.pid, { path: 'relative.sock' }, TypeError],
    [t.pid, { path: '/a\0b' }, TypeError],
    [t.pid, { path: '/' }, TypeError],
    [t.pid, { path: '/x', port: 80 }, TypeError],
    [t.pid, { port: 80, timeout: -1 }, RangeError],
    [t.pid, { port: 80, bogus: 1 }, TypeError],
  ];
  for (const [target, opts, type] of bad) {
    const e = await connectIn(target as number, opts as never).catch((x) => x);
    assert.instance(e, type, `${JSON.stringify(opts)} -> ${e}`);
  }
  const inUse = await listenIn(t.pid, { host: '127.0.0.1', port: PORT }).catch((e) => e);
  assert.is(inUse.code, 'EADDRINUSE');
  const notOurs = await listenIn(t.pid, { host: '192.0.2.1', port: 0 }).catch((e) => e);
  assert.is(notOurs.code, 'EADDRNOTAVAIL');
  assert.instance(await listenIn(t.pid, { port: 0, backlog: -1 }).catch((e) => e), RangeError);
});

test('the pre-5.8 path (the namespace file checked against the pidfd) reaches the same service', async () => {
  const script = `import { connectIn, kernelSupport } from ${JSON.stringify(join(process.cwd(), 'lib/index.ts'))};
const s = await connectIn(${t.pid}, { port: ${PORT} });
s.on('data', (d) => { console.log(kernelSupport().setnsPidfd, String(d)); s.destroy(); });
s.write('old');`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, NSJOIN_FALLBACK: 'setns' },
  });
  assert.is(stdout.trim(), 'false tcp-inside:old');
});

test.run();
