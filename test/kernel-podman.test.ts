// A real container on a real, pure cgroup v2 kernel: podman (vfs storage, which needs no overlay
// module; no network; cgroupfs manager) in the test:kernel VM, with its store in a temporary
// directory given to listContainers as runtimeRoots. The container is listed under podman's name and
// image, and its limits read back as podman set them: memory.max, cpu.max, pids.max. Under TCG this
// takes about 110 s (import 23 s, run 26 s, rm 14 s). Elsewhere (cgroup v1 or hybrid, no podman) it
// is a skip with the reason printed; the host suites test podman in test/runtimes/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCgroupStats } from '../lib/cgroup/stats.js';
import { findContainer } from '../lib/container-find.js';
import { listContainers } from '../lib/containers.js';
import { cpuView, memoryView } from '../lib/views.js';
import { nsjoin } from './helpers/cli.js';

const MiB = 1024 * 1024;
const pureV2 = existsSync('/sys/fs/cgroup/cgroup.controllers') && !existsSync('/sys/fs/cgroup/memory');
const podmanBin = spawnSync('podman', ['--version'], { encoding: 'utf8' });
let whyNot = '';
if (!pureV2) whyNot = '/sys/fs/cgroup is not a pure cgroup v2 hierarchy';
else if (process.getuid?.() !== 0) whyNot = 'not root';
else if (podmanBin.error || podmanBin.status !== 0) whyNot = 'no podman';
else if (!existsSync('/bin/busybox')) whyNot = 'no /bin/busybox for the image';

const NAME = 'podman on pure cgroup v2: name, image, memory, CPU and pids limits';
if (whyNot) {
  console.log(`SKIP ${NAME}: ${whyNot}`);
  test.skip(NAME, () => {});
} else {
  test(NAME, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsjoin-v2-podman-'));
    const root = join(dir, 'root');
    const runroot = join(dir, 'run');
    const netdir = join(dir, 'net');
    mkdirSync(netdir);
    const global = [
      '--root',
      root,
      '--runroot',
      runroot,
      '--network-config-dir',
      netdir,
      '--storage-driver',
      'vfs',
      '--cgroup-manager',
      'cgroupfs',
      '--events-backend',
      'file',
    ];
    const podman = (...args: string[]): string =>
      execFileSync('podman', [...global, ...args], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    const name = `nsjoin-v2-${process.pid}`;
    try {
      // The image: busybox-static and a few applets, no registry.
      const tree = join(dir, 'tree');
      for (const d of ['bin', 'proc', 'sys', 'dev', 'etc', 'tmp']) mkdirSync(join(tree, d), { recursive: true });
      copyFileSync('/bin/busybox', join(tree, 'bin/busybox'));
      for (const applet of ['sh', 'sleep', 'cat']) symlinkSync('busybox', join(tree, 'bin', applet));
      execFileSync(
        'sh',
        ['-c', `tar -C '${tree}' -c . | podman ${global.join(' ')} import --change 'ENV PATH=/bin' - localhost/nsjoin-v2/busybox:latest`],
        { stdio: 'ignore', timeout: 120_000 },
      );
      const id = podman(
        'run',
        '-d',
        '--name',
        name,
        '--network',
        'none',
        '--ulimit',
        'nofile=1024:1024',
        '--ulimit',
        'nproc=1024:1024',
        '--memory',
        '64m',
        '--cpus',
        '0.5',
        '--pids-limit',
        '50',
        'localhost/nsjoin-v2/busybox:latest',
        'sleep',
        '100000',
      );
      const pid = Number(podman('inspect', '-f', '{{.State.Pid}}', id));
      const runtimeRoots = { podmanRoots: [root, runroot] };
      const c = listContainers({ runtimeRoots }).find((x) => x.id === id);
      assert.ok(c, `podman container ${id} not listed`);
      assert.is(c.runtime, 'podman');
      assert.is(c.pid, pid);
      assert.is(c.name, name);
      assert.is(c.image, 'localhost/nsjoin-v2/busybox:latest');
      assert.match(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), new RegExp(`^0::${c.cgroup}\\n$`));
      assert.is(findContainer(name, { runtimeRoots }).pid, pid);
      const stats = readCgroupStats(pid);
      assert.is(stats.memory?.limit, 64 * MiB);
      assert.is(stats.pids?.limit, 50);
      assert.is(stats.cpu?.limitCores, 0.5);
      assert.is(memoryView(pid).total, 64 * MiB);
      assert.is(cpuView(pid).quotaCores, 0.5);
      const r = await nsjoin(['free', '-m', id.slice(0, 12)]);
      assert.is(r.status, 0, r.stderr);
      assert.match(r.stdout.split('\n')[1]!, /^Mem:\s+64\s/);
    } finally {
      spawnSync('podman', [...global, 'rm', '-f', '-t', '0', name], { stdio: 'ignore', timeout: 120_000 });
      // podman mounts a tmpfs on each container's userdata/shm: none may be left when the store goes
      for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n').reverse()) {
        const point = line.split(' ')[4];
        if (point?.startsWith(`${dir}/`)) spawnSync('umount', ['-l', point]);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
