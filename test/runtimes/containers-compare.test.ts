// nsjoin against the references, on the same real docker container at the same moment:
// - meminfo() against lxcfs's /proc/meminfo (lxcfs at /var/lib/lxcfs, bind-mounted into the
//   container): MemTotal equal; the page-cache lines equal; MemFree differs by exactly the inactive
//   file cache (lxcfs subtracts the whole usage, nsjoin the working set); the host-wide lines lxcfs
//   passes through are not ours. The README's "Compared with lxcfs" section says why for each.
// - nsjoin stats / readCgroupStats against `docker stats --no-stream`: the same limit, the same
//   pids, and docker's MEM USAGE is nsjoin's working set (usage - inactive_file).
// The container is quiet (sleep) after writing and syncing 20 MiB of page cache, so the figures hold
// still between the reads; what the reads themselves add (docker exec's process) is bounded below.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { readCgroupStats } from '../../lib/cgroup/stats.js';
import { meminfo } from '../../lib/views.js';
import { nsjoin } from '../helpers/cli.js';
import { docker, startDocker, withRuntime } from '../helpers/runtimes.js';

const MiB = 1024 * 1024;
const KiB = 1024;
const LXCFS = '/var/lib/lxcfs/proc/meminfo';

function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)( kB)?$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]) * (m[3] ? KiB : 1);
  }
  return out;
}

/** docker's sizes: "856KiB", "1.867MiB", "64MiB", "0B" (binary units, 4 significant digits). */
function dockerBytes(text: string): number {
  const m = /^([\d.]+)([KMGT]i)?B$/.exec(text.trim());
  if (!m) throw new Error(`not a docker size: ${text}`);
  return Number(m[1]) * 1024 ** (m[2] ? 'KMGT'.indexOf(m[2][0]!) + 1 : 0);
}

const quiet = ['sh', '-c', 'dd if=/dev/zero of=/tmp/cache bs=1M count=20 2>/dev/null; sync; exec sleep 100000'];

function settle(pid: number): void {
  // wait until the dd has run and the page cache holds the file
  for (let i = 0; i < 100; i++) {
    if ((readCgroupStats(pid).memory?.stat['total_cache'] ?? 0) >= 20 * MiB) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  throw new Error('the container never cached its 20 MiB');
}

withRuntime('docker', 'meminfo() against lxcfs in the same container', () => {
  if (!existsSync(LXCFS)) throw new Error(`lxcfs is not mounted at /var/lib/lxcfs (scripts/runtimes/start.sh mounts it)`);
  const c = startDocker({ flags: ['--memory', '64m', '--cpus', '0.5', '-v', `${LXCFS}:/proc/meminfo:rw`], cmd: quiet });
  try {
    settle(c.pid);
    const before = parseMeminfo(meminfo(c.pid));
    const lx = parseMeminfo(docker('exec', c.name, 'cat', '/proc/meminfo'));
    const ours = parseMeminfo(meminfo(c.pid));
    console.log('lxcfs vs nsjoin (kB):');
    for (const k of Object.keys(lx))
      console.log(
        `  ${k.padEnd(16)} ${String(lx[k]! / KiB).padStart(12)} ${ours[k] === undefined ? '           -' : String(ours[k]! / KiB).padStart(12)}`,
      );
    assert.is(lx['MemTotal'], 64 * MiB);
    assert.is(ours['MemTotal'], lx['MemTotal']);
    // the page cache lines: the same memory.stat keys (ours exact, lxcfs by prefix: equal on v1)
    for (const k of ['Cached', 'Active(file)', 'Inactive(file)', 'Shmem', 'SwapTotal', 'Buffers']) {
      assert.ok(Math.abs(ours[k]! - lx[k]!) <= 256 * KiB, `${k}: nsjoin ${ours[k]} lxcfs ${lx[k]}`);
    }
    // anon memory moves by what docker exec itself brings into the cgroup (runc, cat)
    for (const k of ['AnonPages', 'Active(anon)', 'Inactive(anon)']) {
      assert.ok(Math.abs(ours[k]! - lx[k]!) <= 2 * MiB, `${k}: nsjoin ${ours[k]} lxcfs ${lx[k]}`);
    }
    // MemFree: lxcfs = limit - usage (page cache counted as used); nsjoin = limit - working set
    const gap = ours['MemFree']! - lx['MemFree']!;
    assert.ok(Math.abs(gap - ours['Inactive(file)']!) <= 2 * MiB, `MemFree gap ${gap} vs inactive file ${ours['Inactive(file)']}`);
    assert.ok(ours['Inactive(file)']! >= 19 * MiB, 'the gap is the 20 MiB file, not noise');
    // MemAvailable: both are limit - usage + the file cache; they differ only by the exec's own memory
    assert.ok(
      Math.abs(ours['MemAvailable']! - lx['MemAvailable']!) <= 2 * MiB,
      `MemAvailable: nsjoin ${ours['MemAvailable']} lxcfs ${lx['MemAvailable']}`,
    );
    // Between our two reads `docker exec` ran in the container's cgroup: what it charged there
    // (runc, cat, their page cache) is the only change, within the same 2 MiB as above.
    assert.ok(
      Math.abs(before['MemAvailable']! - ours['MemAvailable']!) <= 2 * MiB,
      `our two reads agree but for the exec: ${before['MemAvailable']} then ${ours['MemAvailable']}`,
    );
    // lines lxcfs passes through from the host (the host's figures, not the container's): a v1
    // cgroup does not account them, so ours say 0 or leave the line out
    for (const k of [
      'Mlocked',
      'KReclaimable',
      'KernelStack',
      'PageTables',
      'FileHugePages',
      'CommitLimit',
      'Committed_AS',
      'VmallocTotal',
      'DirectMap4k',
    ]) {
      assert.ok(ours[k] === undefined || ours[k] === 0, `${k}: ${ours[k]}`);
    }
    assert.ok(lx['CommitLimit']! > lx['MemTotal']!, "lxcfs shows the host's CommitLimit, above the container's 64 MiB");
  } finally {
    c.remove();
  }
});

withRuntime('docker', 'nsjoin stats against docker stats --no-stream: same limit, same pids, usage = working set', async () => {
  const c = startDocker({ flags: ['--memory', '64m', '--cpus', '0.5', '--pids-limit', '50'], cmd: quiet });
  try {
    settle(c.pid);
    const a = readCgroupStats(c.pid).memory!;
    const d = JSON.parse(docker('stats', '--no-stream', '--format', '{{json .}}', c.name)) as {
      MemUsage: string;
      PIDs: string;
      Name: string;
    };
    const b = readCgroupStats(c.pid).memory!;
    const [dUsage, dLimit] = d.MemUsage.split(' / ').map(dockerBytes) as [number, number];
    console.log(
      `docker stats: MEM USAGE ${d.MemUsage}, PIDS ${d.PIDs}; nsjoin: working set ${a.workingSet} .. ${b.workingSet} B, usage ${a.usage} B, limit ${a.limit} B`,
    );
    assert.is(dLimit, 64 * MiB);
    assert.is(a.limit, dLimit);
    // docker rounds to 4 significant digits
    const lo = Math.min(a.workingSet, b.workingSet) * 0.999 - 1;
    const hi = Math.max(a.workingSet, b.workingSet) * 1.001 + 1;
    assert.ok(dUsage >= lo && dUsage <= hi, `docker ${dUsage} vs nsjoin working set ${a.workingSet}..${b.workingSet}`);
    assert.ok(a.usage - a.workingSet >= 19 * MiB, 'docker leaves the 20 MiB of inactive cache out, as nsjoin does');
    assert.is(Number(d.PIDs), readCgroupStats(c.pid).pids?.current);
    const r = await nsjoin(['stats', '--json', '-i', '200', c.name]);
    assert.is(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      stats: { memory: { limit: number; workingSet: number }; pids: { current: number; limit: number } };
      container: { name: string };
    };
    assert.is(s.container.name, c.name);
    assert.is(s.stats.memory.limit, dLimit);
    assert.is(s.stats.pids.limit, 50);
    assert.ok(s.stats.memory.workingSet >= lo - MiB && s.stats.memory.workingSet <= hi + MiB);
  } finally {
    c.remove();
  }
});

test.run();
