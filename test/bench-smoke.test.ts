// Keeps `npm run bench` from rotting: runs it in quick mode on a subset (exec at a small heap, cgroup
// reads and the host scan, parsers) and checks that it produced every ratio, with finite medians.
// No timing is asserted: the figures of a quick run on a shared machine mean nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { GroupResult } from '../bench/harness.js';

const root = new URL('..', import.meta.url).pathname;

/**
 * nsjoin-bench-PID cgroups of the bench process `pid` below our own cgroup (where it makes them) in
 * every hierarchy. Only that bench's: other benches may be running on a shared host meanwhile.
 */
function leftovers(pid: number): string[] {
  const own = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    const a = line.indexOf(':'), b = line.indexOf(':', a + 1);
    for (const c of line.slice(a + 1, b).split(',')) own.set(c, line.slice(b + 1));
  }
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (f[sep + 1] !== 'cgroup' && f[sep + 1] !== 'cgroup2') continue;
    const ctl = f[sep + 1] === 'cgroup2' ? '' : (f[sep + 3] ?? '').split(',').find((o) => own.has(o)) ?? '';
    const dir = join(f[4]!, own.get(ctl) ?? '/');
    try {
      for (const name of readdirSync(dir)) if (name === `nsjoin-bench-${pid}`) out.push(join(dir, name));
    } catch { /* not readable */ }
  }
  return out;
}

test('bench quick mode produces its ratios', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsjoin-bench-smoke-'));
  const json = join(dir, 'bench.json');
  try {
    let benchPid = 0;
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/run.ts'], {
        cwd: root,
        env: { ...process.env, BENCH_QUICK: '1', BENCH_ONLY: 'exec-small,cgroup,parsers', BENCH_JSON: json },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      benchPid = child.pid!;
      let out = '';
      child.stdout!.on('data', (b) => { out += b; });
      child.stderr!.on('data', (b) => { out += b; });
      // The bench removes what it made on SIGTERM too; a hang must not outlive the test.
      const timer = setTimeout(() => child.kill('SIGTERM'), 90_000);
      child.on('close', (c) => { clearTimeout(timer); resolve({ code: c, out }); });
    });
    assert.is(code, 0, out);
    assert.match(out, /^cpu /m);
    assert.match(out, /^kernel /m);
    assert.match(out, /^node /m);
    const { results } = JSON.parse(readFileSync(json, 'utf8')) as { results: GroupResult[] };
    const names = results.flatMap((g) => g.ratios.map((r) => `${r.group}: ${r.name}`));
    for (const want of [/small heap: nsjoin vs child_process\.spawn/, /small heap: nsjoin vs spawn\(nsenter/, /time namespace/,
      /throughput.*64 in flight/, /readCgroupStats\(location\)/, /host scan/, /small heap: nsjoin vs the floor/, /forked joiner in C/,
      /event loop blocked per spawn/, /readCgroupStats\(pid\)/, /readNetDev\(pid\) vs/, /parseNetDev vs @stroncium\/procfs/, /memory\.stat parse/]) {
      assert.ok(names.some((n) => want.test(n)), `no ratio matching ${want} in:\n${names.join('\n')}`);
    }
    for (const g of results) {
      for (const r of g.ratios) {
        assert.ok(Number.isFinite(r.ratio) && r.ratio > 0, `${r.name}: ratio ${r.ratio}`);
        assert.ok(r.subjectTime.n > 0 && r.baselineTime.n > 0, `${r.name}: no samples`);
      }
    }
    // What the bench made is gone: no cgroup of this bench is left next to ours in any hierarchy.
    assert.equal(leftovers(benchPid), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
