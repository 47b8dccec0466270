// What a snapshot reads, on the real kernel: no file twice, and the reader's mount table reused
// only while it is unchanged. The mount table is watched (poll POLLPRI on an open mountinfo), so a
// cgroup hierarchy mounted, unmounted or moved between two calls must show in the second call at
// once: a stale location would send reads to a directory that is no longer that cgroup.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readlinkSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { record } from './helpers/fs-record.js';
import { cgroupOf, readMounts } from '../lib/cgroup/locate.js';
import { readCgroupStats } from '../lib/cgroup/stats.js';
import { makeCgroup, runIn, setLimits } from './helpers/cgroup.js';

test('a snapshot by pid reads no file twice (cfs_quota_us/cfs_period_us once each); an unchanged mount table is not read again', async () => {
  const cg = makeCgroup('reads-once');
  try {
    setLimits(cg, { quotaUs: 50000, periodUs: 100000, pids: 50 });
    const p = await runIn(cg, 'sleep 1000');
    try {
      readCgroupStats(p.pid); // the first call opens the watch and reads mountinfo
      const rec = record(() => {
        readCgroupStats(p.pid);
      });
      const seen = new Map<string, number>();
      for (const f of rec.read) seen.set(f, (seen.get(f) ?? 0) + 1);
      const twice = [...seen].filter(([, n]) => n > 1).map(([f, n]) => `${f} x${n}`);
      assert.equal(twice, [], 'files read more than once');
      assert.ok(rec.read.some((f) => f.endsWith('/cpu.cfs_quota_us')) || rec.read.some((f) => f.endsWith('/cpu.max')), rec.read.join('\n'));
      assert.not.ok(rec.read.includes('/proc/self/mountinfo'), 'mountinfo read again although no mount changed');
      assert.is(readCgroupStats(p.pid).cpu!.limitCores, 0.5);
    } finally {
      p.kill();
    }
  } finally {
    await cg.remove();
  }
});

test('a cgroup hierarchy mounted, unmounted and mounted elsewhere between two calls is seen at once', () => {
  const name = `nsjoin-t-${process.pid}`;
  const a = mkdtempSync(join(tmpdir(), 'nsjoin-mnt-a-'));
  const b = mkdtempSync(join(tmpdir(), 'nsjoin-mnt-b-'));
  const mounted = new Set<string>();
  const mount = (dir: string) => {
    execFileSync('mount', ['-t', 'cgroup', '-o', `none,name=${name}`, name, dir]);
    mounted.add(dir);
  };
  const umount = (dir: string) => {
    execFileSync('umount', [dir]);
    mounted.delete(dir);
  };
  const where = () => cgroupOf(process.pid).controllers[`name=${name}`];
  try {
    const before = readMounts();
    assert.is(readMounts(), before, 'unchanged table: the same parse is served');
    assert.is(where(), undefined);
    for (let i = 0; i < 5; i++) {
      mount(a);
      assert.is(where(), a, `round ${i}: mounted at a`);
      umount(a);
      mount(b);
      assert.is(where(), b, `round ${i}: moved to b`);
      assert.not.ok(
        readMounts().some((m) => m.mountPoint === a),
        'a is gone from the table',
      );
      umount(b);
      assert.not.ok(
        readMounts().some((m) => m.mountPoint === b),
        'b is gone from the table',
      );
    }
    assert.is.not(readMounts(), before, 'the table was parsed again after the changes');
  } finally {
    for (const dir of mounted)
      try {
        execFileSync('umount', [dir]);
      } catch {
        /* already */
      }
    rmdirSync(a);
    rmdirSync(b);
  }
});

test('the watched mountinfo fd closed behind our back and its number reused: a change is still seen', () => {
  const name = `nsjoin-t2-${process.pid}`;
  const a = mkdtempSync(join(tmpdir(), 'nsjoin-mnt-c-'));
  let mounted = false;
  readMounts();
  const watch = readdirSync('/proc/self/fd').find((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === `/proc/${process.pid}/mountinfo`;
    } catch {
      return false;
    }
  });
  assert.ok(watch !== undefined, 'a watched mountinfo fd is open');
  closeSync(Number(watch));
  // Open files until one takes the watch fd's number (each open takes the lowest free number; Node
  // may have closed lower ones meanwhile, as Node 22 and 24 do with fds they open lazily).
  const fillers: number[] = [];
  let other = -1;
  while (other !== Number(watch) && fillers.length < 64) fillers.push((other = openSync('/dev/null', 'r')));
  try {
    assert.is(other, Number(watch), 'the number was reused');
    execFileSync('mount', ['-t', 'cgroup', '-o', `none,name=${name}`, name, a]);
    mounted = true;
    assert.is(cgroupOf(process.pid).controllers[`name=${name}`], a);
  } finally {
    if (mounted) execFileSync('umount', [a]);
    for (const fd of fillers) closeSync(fd);
    rmdirSync(a);
  }
  assert.is(cgroupOf(process.pid).controllers[`name=${name}`], undefined, 'and its umount too');
});

test.run();
