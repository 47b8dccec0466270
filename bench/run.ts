// `npm run bench`: every group of issue 7, each figure a ratio against a baseline measured in the
// same run, with medians and quartiles, machine facts first and a summary of the goals last.
//   BENCH_QUICK=1     small sizes (a smoke test; the figures mean little)
//   BENCH_ONLY=a,b    only these groups: exec-small, exec-1g, exec-4g, cgroup, serve, parsers, containers, memory
//   BENCH_JSON=file   also write the results as JSON
//   BENCH_COMPARE=DIR also time the spawn() of another built checkout in the exec groups, interleaved
//                     (a before/after in one run; see bench/exec.ts)
//   BENCH_CHECK=1     exit 3 when a goal printed in the summary is not met (npm run bench:check; not
//                     part of npm test, so that a loaded machine cannot fail the tests)
// Groups that need a heap of their own (exec at 1 and 4 GB, memory) run in worker processes.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cgroupGroup } from './cgroup.js';
import { containersGroup } from './containers.js';
import { removeCgroupsSync, startTarget } from './fixtures.js';
import { buildFloor } from './floor.js';
import { formatFigure, formatRatio, machineFacts, QUICK, size, type GroupResult } from './harness.js';
import { parserGroup } from './parsers.js';
import { serveGroup } from './serve.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
const want = (g: string): boolean => only.length === 0 || only.includes(g);

function worker(group: string, opts: object, heapMB = 0): Promise<GroupResult> {
  const args = ['--expose-gc', '--import', 'tsx', join(here, 'worker.ts'), group, JSON.stringify(opts)];
  if (heapMB > 0) args.unshift(`--max-old-space-size=${heapMB + 2048}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: join(here, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('@@RESULT '));
      if (code !== 0 || !line) reject(new Error(`bench worker ${group} failed (exit ${code})`));
      else resolve(JSON.parse(line.slice(9)) as GroupResult);
    });
  });
}

function print(r: GroupResult): void {
  process.stdout.write(`\n## ${r.group}\n`);
  for (const n of r.notes) process.stdout.write(`  (${n})\n`);
  let sub = r.group;
  for (const x of r.ratios) {
    if (x.group !== sub) process.stdout.write(`### ${(sub = x.group)}\n`);
    process.stdout.write(`${formatRatio(x)}\n`);
  }
  for (const f of r.figures) process.stdout.write(`${formatFigure(f)}\n`);
}

async function main(): Promise<number> {
  const started = Date.now();
  process.stdout.write(`# nsjoin benchmarks\n${machineFacts().join('\n')}\n`);
  process.stdout.write(
    'Ratios are subject/baseline of the medians (lower is better; throughput as wall time per spawn);\n' +
      '"paired" is the spread of the per-round ratios (variants run interleaved, round by round).\n' +
      'Exec figures are wall time; reads and parsers are CPU time (user + system) of the bench process,\n' +
      'so that waiting for a CPU on a busy host is not counted as cost.\n',
  );
  const results: GroupResult[] = [];
  const run = async (r: Promise<GroupResult> | GroupResult) => {
    const g = await r;
    results.push(g);
    print(g);
  };

  // Namespaces as a container has them; the time namespace separately (it used to force a fork).
  const needTargets = ['exec-small', 'exec-1g', 'exec-4g', 'memory'].some(want);
  if (['exec-small', 'exec-1g', 'exec-4g'].some(want))
    process.stdout.write(`floor       ${relative(process.cwd(), buildFloor())} (bench/floor.c, built with ${process.env.CC ?? 'cc'})\n`);
  const target = needTargets ? await startTarget() : undefined;
  const timeTarget = needTargets ? await startTarget(['uts', 'net', 'ipc', 'pid', 'mount', 'cgroup', 'time']) : undefined;
  try {
    if (target && timeTarget) {
      if (want('exec-small')) await run(worker('exec', { heapMB: 0, target: target.pid, timeTarget: timeTarget.pid, throughput: true }));
      // Quick mode runs the same code on a 16th of the heap (the figures mean little there anyway).
      const oneG = size(1024, 64),
        fourG = size(4096, 256);
      if (want('exec-1g')) await run(worker('exec', { heapMB: oneG, target: target.pid, timeTarget: timeTarget.pid }, oneG));
      if (want('exec-4g')) {
        if (QUICK || totalmem() >= 12 * 2 ** 30) await run(worker('exec', { heapMB: fourG, target: target.pid }, fourG));
        else process.stdout.write('\n## exec latency, ~4 GB live heap: skipped (less than 12 GiB of memory)\n');
      }
    }
    if (want('cgroup')) {
      try {
        await run(cgroupGroup());
      } finally {
        removeCgroupsSync();
      }
    }
    if (want('serve')) {
      try {
        await run(serveGroup());
      } finally {
        removeCgroupsSync();
      }
    }
    if (want('parsers')) await run(parserGroup());
    if (want('containers')) await run(containersGroup());
    if (want('memory') && target) await run(worker('memory', { target: target.pid }));
  } finally {
    target?.kill();
    timeTarget?.kill();
    removeCgroupsSync();
  }

  process.stdout.write('\n## goals\n');
  let notMet = 0;
  for (const g of results) {
    for (const r of g.ratios)
      if (r.goal) {
        notMet += r.met ? 0 : 1;
        process.stdout.write(`  ${r.met ? 'met    ' : 'NOT met'}  ${r.ratio.toFixed(3)}x (goal ${r.goal})  ${r.group}: ${r.name}\n`);
      }
    for (const f of g.figures)
      if (f.goal) {
        notMet += f.met ? 0 : 1;
        process.stdout.write(
          `  ${f.met ? 'met    ' : 'NOT met'}  ${f.value.toFixed(1)} ${f.unit} (goal ${f.goal} ${f.unit})  ${g.group}: ${f.name}\n`,
        );
      }
  }
  process.stdout.write(
    `\nfinished in ${((Date.now() - started) / 1000).toFixed(0)} s${QUICK ? ' (quick mode)' : ''}; ${notMet} goal(s) not met\n`,
  );
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ quick: QUICK, results }, null, 2));
  return notMet;
}

main().then(
  (notMet) => process.exit(process.env.BENCH_CHECK === '1' && notMet > 0 ? 3 : 0),
  (e: unknown) => {
    process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
