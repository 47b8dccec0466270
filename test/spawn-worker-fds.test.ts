// Inside a worker thread, Node tracks the fds that node:fs opened, and closing any other fd with
// fs.closeSync prints "Warning: File descriptor N closed but not opened in unmanaged mode". The fds
// the addon opens (pidfds, pipes, the start pipe, a pty, sockets) must be closed natively (lib/fd.ts), or
// every spawn in a worker floods stderr with that warning. Each case runs in a worker of its own
// Node process, from the built package, and reports every process warning the worker saw.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

// The worker's body: `nsjoin` is the package; prints one line per result, then the warnings.
function runInWorker(body: string): { status: number | null; stdout: string; stderr: string } {
  const worker = `const { parentPort } = require('node:worker_threads');
    const warnings = [];
    process.on('warning', (w) => warnings.push(w.message));
    import(${JSON.stringify(DIST)}).then(async (nsjoin) => {
      const out = [];
      ${body}
      // Warnings are emitted on a later tick than the close that caused them.
      await new Promise((r) => setTimeout(r, 50));
      parentPort.postMessage({ out, warnings });
    }).catch((e) => parentPort.postMessage({ out: ['threw ' + e.message], warnings }));`;
  const main = `const { Worker } = require('node:worker_threads');
    const w = new Worker(${JSON.stringify(worker)}, { eval: true });
    w.on('message', (m) => console.log(JSON.stringify(m)));
    w.on('error', (e) => { console.error(e); process.exitCode = 1; });`;
  const r = spawnSync(process.execPath, ['-e', main], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function check(body: string, expected: string[]): void {
  assert.ok(existsSync(DIST), `${DIST} is missing: run npm run build first`);
  const r = runInWorker(body);
  assert.is(r.status, 0, r.stderr);
  const { out, warnings } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { out: string[]; warnings: string[] };
  assert.equal(out, expected);
  assert.equal(warnings, [], `warnings in the worker: ${warnings.join('; ')}`);
  assert.not.match(r.stderr, /closed but not opened/);
}

test('spawn, execFile and spawnSync in a worker: no fd warning', () => {
  check(
    `
    const c = nsjoin.spawn(process.pid, 'sh', ['-c', 'echo spawned']);
    let text = '';
    c.stdout.on('data', (b) => { text += b; });
    out.push(await new Promise((r) => c.on('close', (code) => r(text.trim() + ' ' + code))));
    out.push((await nsjoin.execFile(process.pid, 'echo', ['exec'])).stdout.trim());
    const s = nsjoin.spawnSync(process.pid, 'echo', ['sync'], { encoding: 'utf8' });
    out.push(s.stdout.trim() + ' ' + s.status);
    // A start failure: the pipes of a program that never ran are closed too.
    out.push(await new Promise((r) => nsjoin.spawn(process.pid, '/nonexistent').on('error', (e) => r(e.code))));
    // stdio 'ignore' opens /dev/null with node:fs: that one is closed the fs way.
    out.push(String(nsjoin.spawnSync(process.pid, 'true', { stdio: 'ignore' }).status));
  `,
    ['spawned 0', 'exec', 'sync 0', 'ENOENT', '0'],
  );
});

test('a pty spawn in a worker: no fd warning', () => {
  check(
    `
    const c = nsjoin.spawn(process.pid, 'sh', ['-c', 'echo on-pty'], { pty: true });
    let text = '';
    c.pty.on('data', (b) => { text += b; });
    out.push(await new Promise((r) => c.on('close', (code) => r(text.trim() + ' ' + code))));
  `,
    ['on-pty 0'],
  );
});

test('listenIn and connectIn in a worker: no fd warning', () => {
  check(
    `
    const server = await nsjoin.listenIn(process.pid, { host: '127.0.0.1', port: 0 });
    const got = new Promise((r) => server.once('connection', (c) => c.once('data', (b) => { r(String(b)); c.destroy(); })));
    const s = await nsjoin.connectIn(process.pid, { host: '127.0.0.1', port: server.address().port });
    s.end('hello');
    out.push(await got);
    server.close();
    // A refused connection: the socket the addon made is closed by it.
    out.push(await nsjoin.connectIn(process.pid, { host: '127.0.0.1', port: 1 }).then(() => 'connected', (e) => e.code));
  `,
    ['hello', 'ECONNREFUSED'],
  );
});

test.run();
