// Real kernel: direct IO written and read by a process in a test cgroup shows in readCgroupStats().io.
// cgroup v1 blkio.throttle.* statistics on this host (kernel 6.18, virtio disk) count nothing on a
// device until a throttle rule has been set on that device at least once since boot (blk-throttle is
// set up lazily, on the first rule; from then on every cgroup is counted). So the test prints what a
// write without a rule gave, then sets a generous rule (1 GiB/s) and requires the bytes to be
// counted. cgroup v2 io.stat counts always. In the test:kernel VM (/var/tmp is a tmpfs there) the
// IO goes straight to the VM's scratch block device, 32 MiB in (kernel-v2's writes stay below 8 MiB).
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readCgroupStats } from '../lib/cgroup/stats.js';
import type { CgroupStats } from '../lib/cgroup/types.js';
import { makeCgroup, runIn, type TestCgroup } from './helpers/cgroup.js';
import { testIf } from './helpers/skip.js';

const vmDisk = process.env.NSJOIN_KERNEL_DISK;
const file = vmDisk ?? `/var/tmp/nsjoin-test-io-${process.pid}`;
const at = vmDisk ? { w: ' seek=32', r: ' skip=32' } : { w: '', r: '' };
const removeFile = (): void => {
  if (!vmDisk) rmSync(file, { force: true });
};
process.on('exit', removeFile);
const MiB = 1024 * 1024;

/** The whole disk under /var/tmp, as "MAJ:MIN", or undefined when it is not a block device. */
function diskOf(path: string): string | undefined {
  const dev = statSync(path).dev;
  const major = (dev >> 8) & 0xfff;
  const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  const sys = `/sys/dev/block/${major}:${minor}`;
  if (!existsSync(sys)) return undefined;
  return existsSync(`${sys}/partition`) ? readFileSync(`${sys}/../dev`, 'utf8').trim() : `${major}:${minor}`;
}

async function ddIn(cg: TestCgroup, args: string): Promise<void> {
  const p = await runIn(cg, `dd ${args} bs=1M count=8 status=none`);
  assert.equal(await p.exited, { code: 0, signal: null }, `dd ${args}`);
}

const on = (s: CgroupStats, disk: string) =>
  s.io?.devices.find((d) => `${d.major}:${d.minor}` === disk) ?? { readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0 };

const disk = vmDisk ? readFileSync(`/sys/block/${vmDisk.replace(/^\/dev\//, '')}/dev`, 'utf8').trim() : diskOf('/var/tmp');
testIf(
  disk ? '' : '/var/tmp is not on a block device here, so there is no block IO to account',
  'dd oflag=direct / iflag=direct: 8 MiB written and read show in io',
  async () => {
    const cg = makeCgroup('io', ['blkio']);
    try {
      const spec = { path: cg.dirs['blkio'] ?? cg.dirs['io']!, version: cg.version };
      const s0 = readCgroupStats(spec);
      await ddIn(cg, `if=/dev/zero of=${file} oflag=direct${at.w}`);
      const s1 = readCgroupStats(spec);
      const unruled = on(s1, disk!).writeBytes - on(s0, disk!).writeBytes;
      if (cg.version === 1) {
        console.log(
          `  v1 blkio without a throttle rule on ${disk}: ${unruled} bytes counted for an 8 MiB direct write${unruled === 0 ? ' (not accounted: no throttle rule was ever set on this device since boot)' : ' (blk-throttle is already active on this device)'}`,
        );
        cg.set('blkio.throttle.write_bps_device', `${disk} ${1024 * MiB}`);
        cg.set('blkio.throttle.read_bps_device', `${disk} ${1024 * MiB}`);
      } else {
        assert.ok(unruled >= 8 * MiB, `v2 io.stat wbytes went up by ${unruled}`);
      }
      const before = readCgroupStats(spec);
      await ddIn(cg, `if=/dev/zero of=${file} oflag=direct conv=notrunc${at.w}`);
      await ddIn(cg, `if=${file} of=/dev/null iflag=direct${at.r}`);
      const after = readCgroupStats(spec);
      const a = on(after, disk!);
      const b = on(before, disk!);
      console.log(
        `  ${disk}: +${a.writeBytes - b.writeBytes} bytes written in ${a.writeOps - b.writeOps} ops, +${a.readBytes - b.readBytes} read in ${a.readOps - b.readOps} ops`,
      );
      assert.ok(a.writeBytes - b.writeBytes >= 8 * MiB, 'written bytes counted');
      assert.ok(a.readBytes - b.readBytes >= 8 * MiB, 'read bytes counted');
      assert.ok(a.writeOps > b.writeOps && a.readOps > b.readOps, 'operations counted');
      assert.is(
        after.io!.writeBytes,
        after.io!.devices.reduce((n, d) => n + d.writeBytes, 0),
        'totals are the sum of the devices',
      );
    } finally {
      await cg.remove();
      removeFile();
    }
  },
);

test.run();
