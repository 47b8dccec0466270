// Faults: targets that die or whose pid is reused while nsjoin works on them, programs killed by
// signals, aborts mid-flight, cgroups removed and processes vanishing while they are read. Each
// gives a typed error (or a skip, or a correct result), never a crash, a wrong namespace or an
// orphan.
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { binding } from '../../lib/binding.js';
import {
  cgroupOf,
  execFile,
  listNamespaces,
  namespacesOf,
  NsError,
  readCgroupStats,
  readNetDev,
  spawn,
  spawnSync,
} from '../../lib/index.js';
import { makeCgroup } from '../helpers/cgroup.js';
import { startTarget } from '../helpers/target.js';
import { ourChildren, PATH, processesWith, runFile, sleep, stateOf } from './helpers/run.js';

const RACES = Number(process.env.NSJOIN_STRESS_RACES ?? 300);
const env = { PATH };
let baseline: number[] = [];
test.before(() => {
  baseline = ourChildren();
});

/** A target in its own uts namespace that is a grandchild of ours: its shell reaps it when it dies. */
async function shortTarget(name: string): Promise<{ pid: number; shell: ChildProcess }> {
  const shell = nodeSpawn('/bin/sh', ['-c', `unshare --uts -- sh -c 'hostname ${name}; exec sleep 1000' & echo $!; wait`], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const pid = await new Promise<number>((resolve) => shell.stdout!.once('data', (b) => resolve(Number(String(b).trim()))));
  for (let i = 0; i < 500; i++) {
    // Once it runs sleep, its shell has set the hostname.
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8') === 'sleep\n') break;
    } catch {
      /* not yet */
    }
    await sleep(2);
  }
  return { pid, shell };
}
const exited = (c: ChildProcess) => new Promise((r) => (c.exitCode === null && c.signalCode === null ? c.once('exit', r) : r(null)));
const spinUntil = (done: () => boolean) => {
  for (let i = 0; i < 5000 && !done(); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
};

test('a pid reused between resolving and joining (ns_last_pid, own pid namespace): ESRCH, never the intruder', async () => {
  const results: string[] = [];
  for (const fallback of ['', 'all']) {
    for (const window of ['anchor', 'native']) {
      for (const api of ['execFile', 'spawnSync']) {
        const r = await runFile(new URL('./scripts/pid-reuse.ts', import.meta.url).pathname, {
          args: [window, api],
          env: { NSJOIN_FALLBACK: fallback },
          prefix: ['unshare', '--pid', '--fork', '--mount-proc'],
          timeoutMs: 30_000,
        });
        assert.is(r.code, 0, r.err);
        const o = JSON.parse(r.out.trim().split('\n').pop()!) as { victim: number; intruder: number; fired: boolean; outcome: string };
        assert.ok(o.fired, 'the reuse happened');
        assert.is(o.intruder, o.victim, "the intruder got the victim's pid");
        assert.match(o.outcome, /^error ESRCH/, `${fallback || 'pidfd'} ${window} ${api}: ${o.outcome}`);
        results.push(`${fallback || 'pidfd'}/${window}/${api}`);
      }
    }
  }
  console.log(`# faults: pid reuse refused in ${results.length} cases: ${results.join(', ')}`);
});

test('the target dies (reaped, or left a zombie) right before the addon joins: ESRCH, nothing started', async () => {
  const b = binding() as unknown as { spawn: (spec: unknown) => unknown };
  const real = b.spawn;
  try {
    for (const reaped of [true, false]) {
      for (const api of ['spawn', 'spawnSync'] as const) {
        const { pid, shell } = await shortTarget('doomed');
        if (!reaped) shell.kill('SIGSTOP'); // its parent cannot reap it: it stays a zombie
        b.spawn = (spec) => {
          process.kill(pid, 'SIGKILL');
          spinUntil(() => (reaped ? stateOf(pid) === undefined : stateOf(pid) === 'Z'));
          return real.call(b, spec);
        };
        const mark = `NSJOIN_STRESS_${randomUUID()}`;
        let err: unknown;
        if (api === 'spawnSync') err = spawnSync(pid, 'sleep', ['30'], { namespaces: ['uts'], env: { PATH, [mark]: '1' } }).error;
        else
          err = await new Promise((resolve) =>
            spawn(pid, 'sleep', ['30'], { namespaces: ['uts'], env: { PATH, [mark]: '1' } })
              .on('error', resolve)
              .on('spawn', () => resolve(undefined)),
          );
        b.spawn = real;
        assert.instance(err, NsError, `${api} reaped=${reaped}`);
        assert.is((err as NsError).code, 'ESRCH');
        assert.equal(processesWith(mark), []);
        shell.kill('SIGKILL');
        shell.kill('SIGCONT');
        await exited(shell);
      }
    }
  } finally {
    b.spawn = real;
  }
});

test(`real races: ${RACES} targets killed at random moments during execFile: the right namespace or ESRCH`, async () => {
  const tally: Record<string, number> = {};
  for (let i = 0; i < RACES; i++) {
    const { pid, shell } = await shortTarget(`race${i}`);
    const delay = (Math.random() * 0.004).toFixed(4);
    const killer = nodeSpawn('/bin/sh', ['-c', `sleep ${delay}; kill -9 ${pid}`], { stdio: 'ignore' });
    let outcome: string;
    try {
      const { stdout } = await execFile(pid, 'hostname', [], { namespaces: ['uts'], env });
      assert.is(stdout.trim(), `race${i}`, "ran in the target's own uts namespace");
      outcome = 'ran';
    } catch (err) {
      // Killed while reading /proc: the readers say ESRCH (or ENOENT for a file of a dying process).
      if (!(err instanceof NsError)) throw err;
      assert.ok(['ESRCH', 'ENOENT'].includes(err.code), `race ${i}: ${err.message}`);
      // A namespace link that vanished is the target exiting, not a kernel without that type.
      assert.not.match(err.message, /this kernel has no/);
      outcome = `${err.code} (${err.syscall})`;
    }
    tally[outcome] = (tally[outcome] ?? 0) + 1;
    await exited(killer);
    shell.kill('SIGKILL');
    await exited(shell);
  }
  console.log(`# faults: races: ${JSON.stringify(tally)}`);
  assert.equal(
    ourChildren().filter((p) => !baseline.includes(p)),
    [],
  );
});

test('the program dies by a signal: signalCode, execFile error.signal, spawnSync signal', async () => {
  const t = await startTarget({ ns: ['uts', 'pid', 'mnt'] });
  try {
    for (const sig of ['SEGV', 'ABRT', 'KILL', 'TERM', 'USR1'] as const) {
      const c = spawn(t.pid, 'sh', ['-c', `kill -${sig} $$`], { env, stdio: 'ignore' });
      const [code, signal] = await new Promise<[unknown, unknown]>((r) => c.on('exit', (a, b) => r([a, b])));
      assert.equal([code, signal], [null, `SIG${sig}`]);
      const e = (await execFile(t.pid, 'sh', ['-c', `echo partial; kill -${sig} $$`], { env }).then(
        () => undefined,
        (x: unknown) => x,
      )) as { signal: string; code: unknown; stdout: string };
      assert.is(e.signal, `SIG${sig}`);
      assert.is(e.stdout, 'partial\n');
      const s = spawnSync(t.pid, 'sh', ['-c', `kill -${sig} $$`], { env });
      assert.equal([s.status, s.signal], [null, `SIG${sig}`]);
    }
    // Killed from outside by its host pid (not through nsjoin).
    const c = spawn(t.pid, 'sleep', ['30'], { env, stdio: 'ignore' });
    await new Promise((r) => c.on('spawn', r));
    process.kill(c.pid!, 'SIGKILL');
    assert.is(await new Promise((r) => c.on('exit', (_, s) => r(s))), 'SIGKILL');
  } finally {
    t.kill();
  }
});

test('AbortSignal at random moments over 300 runs: every program ends, no orphan, no zombie', async () => {
  const t = await startTarget({ ns: ['uts', 'pid', 'mnt', 'net'] });
  const mark = `NSJOIN_STRESS_${randomUUID()}`;
  try {
    const runs = Array.from({ length: 300 }, async (_, i) => {
      const ac = new AbortController();
      const when = i % 3 === 0 ? 0 : Math.random() * 30;
      const timer = setTimeout(() => ac.abort(), when);
      const opts = { env: { PATH, [mark]: String(i) }, signal: ac.signal, killSignal: i % 2 ? ('SIGKILL' as const) : ('SIGTERM' as const) };
      const outcome = await execFile(t.pid, 'sleep', ['30'], opts).then(
        () => 'finished',
        (e: Error) => e.name,
      );
      clearTimeout(timer);
      return outcome;
    });
    const outcomes = await Promise.all(runs);
    assert.ok(
      outcomes.every((o) => o === 'AbortError'),
      outcomes.join(),
    );
    // An abort before the start: nothing is started at all.
    const ac = new AbortController();
    ac.abort();
    await execFile(t.pid, 'sleep', ['30'], { env: { PATH, [mark]: 'pre' }, signal: ac.signal }).catch(() => {});
    assert.is(spawnSync(t.pid, 'sleep', ['30'], { env: { PATH, [mark]: 'pre' }, signal: ac.signal }).error?.name, 'AbortError');
    // As child_process.execFile, the promise rejects at the abort, when the signal was sent: the
    // programs are reaped as they die (a loaded host may take a while over 300 of them).
    const leftover = () => [...processesWith(mark), ...ourChildren().filter((p) => !baseline.includes(p) && p !== t.outerPid)];
    for (let i = 0; i < 100 && leftover().length > 0; i++) await sleep(50);
    assert.equal(processesWith(mark), []);
    assert.equal(
      ourChildren().filter((p) => !baseline.includes(p) && p !== t.outerPid),
      [],
    );
  } finally {
    t.kill();
  }
});

/** Counts the outcomes of reads that must give a value or an NsError; anything else is rethrown. */
class Tally {
  values = 0;
  errors = 0;
  readonly codes = new Set<string>();
  read(reads: Array<() => unknown>): void {
    for (const read of reads) {
      try {
        read();
        this.values++;
      } catch (err) {
        if (!(err instanceof NsError)) throw err;
        this.errors++;
        this.codes.add(err.code);
      }
    }
  }
}

test('a cgroup removed while it is read: a value or an NsError, never anything else', async () => {
  const tally = new Tally();
  for (let round = 0; round < 20; round++) {
    const cg = makeCgroup(`gone${round}`, ['cpu', 'cpuacct', 'memory', 'pids']);
    const proc = nodeSpawn('/bin/sh', ['-c', `${cg.enter}\nexec sleep 30`], { stdio: 'ignore' });
    for (let i = 0; i < 200 && !cg.procs().includes(proc.pid!); i++) await sleep(5);
    // The remover runs in another process, so that removal happens in the middle of our reads.
    const dirs = Object.values(cg.dirs);
    const remover = nodeSpawn(
      '/bin/sh',
      [
        '-c',
        `sleep 0.0${round % 10}; kill -9 ${proc.pid}; for d in ${dirs.join(' ')}; do n=0; while [ -d $d ] && ! rmdir $d 2>/dev/null && [ $n -lt 100000 ]; do n=$((n+1)); done; done`,
      ],
      { stdio: 'ignore' },
    );
    const until = Date.now() + 400;
    while (Date.now() < until) {
      tally.read([
        () => readCgroupStats(proc.pid!),
        () => readCgroupStats({ path: dirs[0]!.replace(/^.*?\/sys\/fs\/cgroup\/[^/]+/, ''), version: 1 }),
        () => cgroupOf(proc.pid!),
      ]);
      await new Promise((r) => setImmediate(r));
    }
    await exited(remover);
    for (const d of dirs)
      if (existsSync(d))
        try {
          rmdirSync(d);
        } catch {
          /* the helper retries at exit */
        }
    await cg.remove();
  }
  console.log(`# faults: cgroups removed mid-read: ${tally.values} values, ${tally.errors} typed errors (${[...tally.codes].join(', ')})`);
  assert.ok(tally.errors > 0 && tally.values > 0, 'both outcomes were seen');
});

test('/proc/PID vanishing mid-scan: listNamespaces, namespacesOf, cgroupOf, readNetDev give a value or an NsError', async () => {
  // A churn of short-lived processes, some in namespaces of their own, while we scan.
  const churn = nodeSpawn('/bin/sh', ['-c', 'while :; do unshare --uts --net true & true & sleep 0.001 & wait; done'], { stdio: 'ignore' });
  let scans = 0;
  const tally = new Tally();
  const stayers: ChildProcess[] = [];
  try {
    // Hand reads of namespaces that outlive the churn: ours, and those of a sleep that is alone in
    // a uts and a net namespace of its own.
    const nsByHand = (pid: number | 'self'): Map<string, number> =>
      new Map(
        readdirSync(`/proc/${pid}/ns`)
          .map((t) => {
            const m = /^(\w+):\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/${t}`))!;
            return [m[1]!, Number(m[2])] as [string, number];
          })
          .filter(([t]) => !t.endsWith('_for_children')),
      );
    const mine = nsByHand('self');
    const alone = nodeSpawn('unshare', ['--uts', '--net', 'sleep', '60'], { stdio: 'ignore' });
    stayers.push(alone);
    for (let i = 0; i < 500 && readFileSync(`/proc/${alone.pid}/comm`, 'utf8').trim() !== 'sleep'; i++) await sleep(10);
    const its = nsByHand(alone.pid!);
    const until = Date.now() + 5000;
    while (Date.now() < until) {
      const rows = listNamespaces();
      scans++;
      // Each row as the kernel has it: one per namespace, sorted, counted; ours and pid 1's found
      // with the inodes read by hand, whatever vanished around them.
      const keys = rows.map((r) => `${r.type}:${r.inode}`);
      assert.is(new Set(keys).size, keys.length, 'one row per namespace');
      assert.equal(
        [...rows].sort((a, b) => (a.type === b.type ? a.inode - b.inode : a.type < b.type ? -1 : 1)),
        rows,
        'sorted by type, then inode',
      );
      for (const r of rows) assert.ok(r.processes >= 1 && r.pid >= 1, JSON.stringify(r));
      for (const [type, inode] of mine) {
        const row = rows.find((r) => r.type === type && r.inode === inode);
        assert.ok(row && row.pid <= process.pid, `our ${type} namespace ${inode}: ${JSON.stringify(row)}`);
      }
      for (const type of ['uts', 'net']) {
        const row = rows.find((r) => r.type === type && r.inode === its.get(type));
        assert.ok(
          row && row.pid === alone.pid && row.processes === 1,
          `the lone sleep's ${type} namespace ${its.get(type)}: ${JSON.stringify(row)}`,
        );
      }
      for (const row of rows.slice(-20)) {
        tally.read([() => namespacesOf(row.pid), () => cgroupOf(row.pid), () => readNetDev(row.pid)]);
      }
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    churn.kill('SIGKILL');
    while (stayers.length) stayers.pop()!.kill('SIGKILL');
  }
  console.log(`# faults: ${scans} scans under churn; ${tally.values} reads, ${tally.errors} typed errors (${[...tally.codes].join(', ')})`);
});

test.run();
