// Exec latency and throughput: nsjoin `/bin/true` into a target's namespaces against the floor
// (the same steps in C from a small process, bench/floor.c), against Node's own
// child_process.spawn of `/bin/true` and against spawning util-linux nsenter, each waited for to
// 'close' with default stdio (pipes), as a caller would use them; all four interleaved. Runs
// inside a worker process whose live heap is filled to the size under test, since what fork costs
// grows with the parent's mapped memory (the floor is its own small process: it has no heap).
import { spawn as cpSpawn, type ChildProcess } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawn as nsSpawn } from '../lib/index.js';
import { startFloor } from './floor.js';
import { gc, interleaveAsync, makeRatio, rssMB, size, type GroupResult } from './harness.js';

const done = (c: EventEmitter): Promise<void> =>
  new Promise((resolve, reject) => {
    c.once('error', reject);
    c.once('close', (code: number | null) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
  });

export const runNsjoin = (pid: number): Promise<void> => done(nsSpawn(pid, '/bin/true'));

/**
 * The event loop is blocked for the synchronous part of spawn() (everything up to its return):
 * these variants record it, in µs, into `sink`, for nsjoin and child_process alike.
 */
const blocked = { nsjoin: [] as number[], plain: [] as number[] };
const timedSync = <T>(sink: number[], fn: () => T): T => {
  const t0 = process.hrtime.bigint();
  const r = fn();
  sink.push(Number(process.hrtime.bigint() - t0) / 1000);
  return r;
};
const runNsjoinTimed = (pid: number): Promise<void> => done(timedSync(blocked.nsjoin, () => nsSpawn(pid, '/bin/true')));
const runPlainTimed = (): Promise<void> => done(timedSync(blocked.plain, () => cpSpawn('/bin/true')));
export const runPlain = (): Promise<void> => done(cpSpawn('/bin/true'));
export const runNsenter = (pid: number): Promise<void> => done(cpSpawn('nsenter', ['-t', String(pid), '-a', '/bin/true']) as ChildProcess);

/**
 * BENCH_COMPARE=DIR: the spawn() of another built checkout (say, main), timed interleaved with
 * this one: a before/after in one run, which a shared machine's load cannot skew the way two
 * runs minutes apart are skewed. DIR needs lib/ and a built addon: e.g. `git archive main | tar -x
 * -C DIR`, node_modules linked, `npx node-gyp rebuild` there.
 */
async function compareSpawn(): Promise<((pid: number) => Promise<void>) | undefined> {
  const dir = process.env.BENCH_COMPARE;
  if (!dir) return undefined;
  const lib = (await import(pathToFileURL(join(resolve(dir), 'lib', 'index.ts')).href)) as { spawn: typeof nsSpawn };
  return (pid) => done(lib.spawn(pid, '/bin/true'));
}

/** Live JS heap of about `mb` MiB: packed double arrays (1 MiB each), every page written. */
let ballast: number[][] = [];
export function fillHeap(mb: number): void {
  ballast = [];
  for (let i = 0; i < mb; i++) ballast.push(new Array<number>(131072).fill(i + 0.5));
  gc();
}
export const ballastSize = (): number => ballast.length;

export interface ExecOptions {
  heapMB: number;
  /** A target with uts, net, ipc, pid, mnt, cgroup namespaces. */
  target: number;
  /** A target that also has a time namespace (joined by the trampoline, which has memory of its own). */
  timeTarget?: number;
  throughput?: boolean;
}

export async function execGroup(o: ExecOptions): Promise<GroupResult> {
  const group =
    o.heapMB > 0 ? `exec latency, ~${o.heapMB >= 1024 ? `${o.heapMB / 1024} GB` : `${o.heapMB} MB`} live heap` : 'exec latency, small heap';
  if (o.heapMB > 0) fillHeap(o.heapMB);
  const res: GroupResult = { group, ratios: [], figures: [], notes: [] };
  res.notes.push(`worker RSS ${rssMB().toFixed(0)} MB, live heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB`);
  const runs = size(o.heapMB >= 4096 ? 300 : 400, 30);
  const floor = startFloor();
  const before = await compareSpawn();
  try {
    const [ns, plain, nsenter, fl, other] = await interleaveAsync(
      [
        () => runNsjoinTimed(o.target),
        runPlainTimed,
        () => runNsenter(o.target),
        () => floor.run(o.target),
        ...(before ? [() => before(o.target)] : []),
      ],
      runs,
    );
    const big = o.heapMB >= 1024;
    res.ratios.push(
      makeRatio(
        group,
        'nsjoin vs the floor (bench/floor.c: the same steps in C)',
        'nsjoin.spawn',
        'floor',
        ns!,
        fl!,
        'ms',
        big ? '<= 1.25' : '<= 1.15',
      ),
    );
    res.ratios.push(
      makeRatio(
        group,
        'nsjoin vs child_process.spawn(/bin/true)',
        'nsjoin.spawn',
        'child_process.spawn',
        ns!,
        plain!,
        'ms',
        big ? '<= 0.2' : o.heapMB === 0 ? '<= 0.8' : '',
      ),
    );
    res.ratios.push(
      makeRatio(
        group,
        'nsjoin vs spawn(nsenter -t PID -a /bin/true)',
        'nsjoin.spawn',
        'nsenter',
        ns!,
        nsenter!,
        'ms',
        o.heapMB === 0 ? '<= 0.4' : '',
      ),
    );
    if (other)
      res.ratios.push(
        makeRatio(
          group,
          `nsjoin vs the nsjoin of BENCH_COMPARE=${process.env.BENCH_COMPARE}`,
          'nsjoin.spawn',
          'BENCH_COMPARE',
          ns!,
          other,
          'ms',
        ),
      );
    res.ratios.push(makeRatio(group, 'child_process.spawn vs the floor', 'child_process.spawn', 'floor', plain!, fl!, 'ms'));
    // Warm-up rounds pushed samples too: keep the last `runs`, which pair with the timed rounds.
    const b = blocked.nsjoin.slice(-runs),
      p = blocked.plain.slice(-runs);
    res.ratios.push(
      makeRatio(
        group,
        'event loop blocked per spawn (synchronous part of spawn())',
        'nsjoin.spawn',
        'child_process.spawn',
        b,
        p,
        'µs',
        '',
        'µs per call; the exit reaches JS through the event loop afterwards, as with child_process',
      ),
    );
    if (o.timeTarget !== undefined) {
      const tr = size(300, 20);
      const [tns, tplain, tnsenter, tfl] = await interleaveAsync(
        [() => runNsjoin(o.timeTarget!), runPlain, () => runNsenter(o.timeTarget!), () => floor.run(o.timeTarget!, true)],
        tr,
      );
      const g = `${group}, target with a time namespace`;
      res.ratios.push(makeRatio(g, 'nsjoin vs the floor (forked joiner in C)', 'nsjoin.spawn', 'floor', tns!, tfl!, 'ms', '<= 1.5'));
      res.ratios.push(makeRatio(g, 'nsjoin vs child_process.spawn', 'nsjoin.spawn', 'child_process.spawn', tns!, tplain!, 'ms'));
      res.ratios.push(makeRatio(g, 'nsjoin vs nsenter', 'nsjoin.spawn', 'nsenter', tns!, tnsenter!, 'ms'));
    }
  } finally {
    floor.close();
  }
  if (o.throughput) {
    for (const inFlight of [1, 8, 64]) {
      const rounds = size(inFlight === 64 ? 12 : 20, 3);
      const perRound = size(inFlight === 1 ? 100 : 256, 16);
      const runMany = async (one: () => Promise<void>) => {
        let left = perRound;
        const lane = async () => {
          while (left-- > 0) await one();
        };
        await Promise.all(Array.from({ length: inFlight }, lane));
      };
      const [a, b] = await interleaveAsync([() => runMany(() => runNsjoin(o.target)), () => runMany(runPlain)], rounds, 1);
      const perOp = (xs: number[]) => xs.map((ms) => ms / perRound);
      const g = 'exec throughput, small heap';
      const r = makeRatio(
        g,
        `${inFlight} in flight: wall time per spawn`,
        'nsjoin.spawn',
        'child_process.spawn',
        perOp(a!),
        perOp(b!),
        'ms',
      );
      r.note = `nsjoin ${(1000 / r.subjectTime.median).toFixed(0)} spawns/s, child_process ${(1000 / r.baselineTime.median).toFixed(0)} spawns/s`;
      res.ratios.push(r);
    }
  }
  return res;
}
