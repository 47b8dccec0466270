// The spawn loop that scripts/valgrind.sh runs under memcheck: the addon's whole native path
// (pidfdOpen, spawn with piped stdio into a target's namespaces, Child.watch, the exit callback,
// Child.waitSync, start failures) N times, through the raw binding so that memcheck sees the
// addon and not a TypeScript loader. usage: node scripts/valgrind-loop.mjs TARGET_PID N
import { closeSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const b = require('node-gyp-build')(join(dirname(fileURLToPath(import.meta.url)), '..'));
const [pid, n] = process.argv.slice(2).map(Number);
let full = true;

function spec(stdio, execPaths, argv) {
  return {
    pid,
    pidfd: full ? b.pidfdOpen(pid) : -1,
    nsMask: 0x04000000 | 0x40000000,
    setnsPidfd: true,
    closeRange: true,
    root: false,
    cwd: null,
    cwdFromTarget: false,
    verifyCwd: false,
    cwdFallbackToRoot: false,
    freshSysfs: false,
    freshProc: false,
    setsid: false,
    ctty: -1,
    dieWithParent: false,
    uid: -1,
    gid: -1,
    setGroups: false,
    groupsOptional: false,
    groups: [],
    stdio,
    cgroupProcs: [],
    argv,
    envp: ['PATH=/usr/bin:/bin', 'X=' + 'y'.repeat(100)],
    execPaths,
  };
}
// The start pipe once the program has exec'd or exited: '' (execve worked) or the failed step.
function startReport(fd) {
  const buf = Buffer.alloc(16);
  let len = 0;
  for (let r; len < 16 && (r = readSync(fd, buf, len, 16 - len, null)) > 0;) len += r;
  closeSync(fd);
  return len < 16 ? '' : b.spawnSteps[buf.readInt32LE(0)];
}
function once(i) {
  const [r, w] = b.pipe();
  const s = spec([-1, w, -1], ['/bin/echo'], ['echo', `run ${i}`]);
  const res = b.spawn(s);
  closeSync(s.pidfd);
  closeSync(w);
  if (res.step !== undefined) throw new Error(`spawn failed: ${JSON.stringify(res)}`);
  const buf = Buffer.alloc(64);
  const len = readSync(r, buf);
  closeSync(r);
  if (buf.toString('utf8', 0, len) !== `run ${i}\n`) throw new Error(`bad output ${buf.toString('utf8', 0, len)}`);
  // It printed, so it exec'd: the start pipe is at EOF.
  if (startReport(res.startFd) !== '') throw new Error('a start report from a program that ran');
  const child = new b.Child(res.pidfd);
  if (i % 2) {
    const out = child.waitSync({ stdinFd: -1, outFds: [], timeoutMs: 0, killSignal: 15, maxBuffer: 0 });
    if (out.code !== 0) throw new Error(`exit ${out.code}`);
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => child.watch((code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`)))));
}
// Valgrind before 3.20 does not know pidfd_open (ENOSYS inside it): then only what comes before
// it is exercised (argument decoding, the plan's allocations and their release on an early
// failure, pipe(), Child's argument checks); the summary line says which.
full = typeof b.pidfdOpen(process.pid) === 'number'; // else { step: 'pidfd_open', errno: ENOSYS }
function partial(i) {
  const [r, w] = b.pipe();
  const s = spec([-1, w, -1], ['/bin/echo'], ['echo', `run ${i}`]);
  const res = b.spawn({ ...s, pidfd: -1 });
  closeSync(r);
  closeSync(w);
  if (res.step !== 'pidfd_open') throw new Error(`unexpected ${JSON.stringify(res)}`);
  try {
    new b.Child(-1);
  } catch {
    /* expected */
  }
  try {
    b.spawn({ ...s, pidfd: -1, argv: [1] });
  } catch {
    /* expected */
  }
  return Promise.resolve();
}
for (let i = 0; i < n; i++) {
  if (!full) {
    await partial(i);
    continue;
  }
  await once(i);
  // A start failure every tenth run: the error path frees what it made too.
  if (i % 10 === 0) {
    const s = spec([-1, -1, -1], ['/nonexistent/a', '/nonexistent/b'], ['x']);
    const res = b.spawn(s);
    closeSync(s.pidfd);
    // The program is made; its execve fails afterwards and says so on the start pipe.
    if (res.step !== undefined) throw new Error(`spawn failed: ${JSON.stringify(res)}`);
    new b.Child(res.pidfd).waitSync({ stdinFd: -1, outFds: [], timeoutMs: 0, killSignal: 9, maxBuffer: 0 });
    const step = startReport(res.startFd);
    if (step !== 'execve') throw new Error(`expected an execve failure, got '${step}'`);
  }
}
console.log(
  `valgrind-loop: ${n} runs done (${full ? 'full native path' : 'decoding and early failures only: this valgrind lacks pidfd_open'})`,
);
