// Keeps `npm run bench` from rotting: runs every group in quick mode (exec at a small heap and at a
// 16th of the 1 GB and 4 GB heaps, cgroup reads and the host scan, parsers, memory) and checks that it
// produced every group and ratio, with finite medians, and that BENCH_CHECK turns a goal not met into
// a non-zero exit. No timing is asserted: the figures of a quick run on a shared machine mean nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { GroupResult } from '../bench/harness.js';

const root = new URL('..', import.meta.url).pathname;

/** The bench process `pid`'s nsjoin-bench-PID cgroups below our own cgroup (where it makes them) in
 * every hierarchy. Only its own: other bench runs on this host make theirs next to it. */
function leftovers(pid: number): string[] {
  const own = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    const a = line.indexOf(':'),
      b = line.indexOf(':', a + 1);
    for (const c of line.slice(a + 1, b).split(',')) own.set(c, line.slice(b + 1));
  }
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (f[sep + 1] !== 'cgroup' && f[sep + 1] !== 'cgroup2') continue;
    const ctl = f[sep + 1] === 'cgroup2' ? '' : ((f[sep + 3] ?? '').split(',').find((o) => own.has(o)) ?? '');
    const dir = join(f[4]!, own.get(ctl) ?? '/');
    try {
      for (const name of readdirSync(dir)) if (name === `nsjoin-bench-${pid}`) out.push(join(dir, name));
    } catch {
      /* not readable */
    }
  }
  return out;
}

test('bench quick mode produces its ratios', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsjoin-bench-smoke-'));
  const json = join(dir, 'bench.json');
  try {
    const { code, out, pid } = await new Promise<{ code: number | null; out: string; pid: number }>((resolve) => {
      const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/run.ts'], {
        cwd: root,
        env: {
          ...process.env,
          BENCH_QUICK: '1',
          BENCH_ONLY: 'exec-small,exec-1g,exec-4g,cgroup,serve,parsers,memory',
          BENCH_JSON: json,
          BENCH_CHECK: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout!.on('data', (b) => {
        out += b;
      });
      child.stderr!.on('data', (b) => {
        out += b;
      });
      // The bench removes what it made on SIGTERM too; a hang must not outlive the test.
      const timer = setTimeout(() => child.kill('SIGTERM'), 240_000);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c, out, pid: child.pid! });
      });
    });
    // BENCH_CHECK: exit 3 exactly when the summary has a goal NOT met (quick figures may miss goals).
    const notMet = /^\s+NOT met/m.test(out.slice(out.indexOf('\n## goals')));
    assert.is(code, notMet ? 3 : 0, out);
    assert.match(out, new RegExp(`; ${notMet ? '[1-9]\\d*' : '0'} goal\\(s\\) not met`));
    assert.match(out, /^cpu /m);
    assert.match(out, /^kernel /m);
    assert.match(out, /^node /m);
    const { results } = JSON.parse(readFileSync(json, 'utf8')) as { results: GroupResult[] };
    const groups = results.map((g) => g.group);
    for (const want of [/small heap/, /~64 MB live heap/, /~256 MB live heap/, /cgroup/i, /parser/i, /memory/i]) {
      assert.ok(
        groups.some((g) => want.test(g)),
        `no group matching ${want} in: ${groups.join(', ')}`,
      );
    }
    const names = results.flatMap((g) => g.ratios.map((r) => `${r.group}: ${r.name}`));
    for (const want of [
      /small heap: nsjoin vs child_process\.spawn/,
      /small heap: nsjoin vs spawn\(nsenter/,
      /time namespace/,
      /throughput.*64 in flight/,
      /readCgroupStats\(location\)/,
      /host scan/,
      /small heap: nsjoin vs the floor/,
      /forked joiner in C/,
      /event loop blocked per spawn/,
      /readCgroupStats\(pid\)/,
      /readNetDev\(pid\) vs/,
      /parseNetDev vs @stroncium\/procfs/,
      /memory\.stat parse/,
      /one scrape/,
      /prom-client/,
    ]) {
      assert.ok(
        names.some((n) => want.test(n)),
        `no ratio matching ${want} in:\n${names.join('\n')}`,
      );
    }
    for (const g of results) {
      for (const r of g.ratios) {
        assert.ok(Number.isFinite(r.ratio) && r.ratio > 0, `${r.name}: ratio ${r.ratio}`);
        assert.ok(r.subjectTime.n > 0 && r.baselineTime.n > 0, `${r.name}: no samples`);
      }
    }
    // What the bench made is gone: no bench cgroup is left next to ours in any hierarchy.
    assert.equal(leftovers(pid), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
