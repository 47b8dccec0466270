// A hostile container against what nsjoin reads from it: root inside (docker's defaults) plants
// symlinks, swaps directories with renameat2 while we read, puts FIFOs where sysfs files should be,
// and makes its command line 128 MiB. None of it may reach the host, hang Node or spoil later reads.
import { spawn as spawnChild } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import { test } from 'uvu';
import { cgroupOf } from '../../lib/cgroup/locate.js';
import { NsError } from '../../lib/errors.js';
import { readText } from '../../lib/io.js';
import { listNamespaces } from '../../lib/namespaces.js';
import { readNetDev } from '../../lib/net/netdev.js';
import { connectIn, listenIn } from '../../lib/sockets.js';
import { execFile } from '../../lib/spawn.js';
import { attackerBinary, hostTempDir } from '../helpers/attacker.js';
import { nsjoin } from '../helpers/cli.js';
import { docker, startDocker, withRuntime } from '../helpers/runtimes.js';

const sh = (name: string, script: string): string => docker('exec', name, 'sh', '-c', script);

async function rejects(p: Promise<unknown>, code: string, what: string): Promise<NsError> {
  try {
    const value = await p;
    (value as { destroy?: () => void } | undefined)?.destroy?.(); // a socket that should not exist
  } catch (err) {
    assert.instance(err, NsError, `${what}: an NsError, got ${String(err)}`);
    assert.is((err as NsError).code, code, `${what}: ${(err as Error).message}`);
    return err as NsError;
  }
  throw new assert.Assertion({
    message: `${what}: expected ${code}, it succeeded`,
    operator: 'rejects',
    actual: 'resolved',
    expects: code,
    generated: false,
  });
}

withRuntime(
  'docker',
  "connectIn: a symlink to a host socket leads to the container's own file of that name, never the host's",
  async () => {
    // A socket of ours on the host that answers HOST; the container links to its host path.
    const dir = hostTempDir('nsjoin-hostsock-');
    const hostSock = join(dir, 'host.sock');
    let reached = 0;
    const server: Server = createServer((conn) => {
      reached++;
      conn.end('HOST\n');
    });
    await new Promise<void>((resolve) => server.listen(hostSock, resolve));
    const c = startDocker();
    let ours: Server | undefined;
    try {
      sh(
        c.name,
        `ln -s ${hostSock} /tmp/app.sock && ln -s ${dir} /tmp/appdir && echo not-a-socket > /tmp/file.sock && ln -s /tmp/file.sock /tmp/to-file.sock`,
      );
      await rejects(connectIn(c.pid, { path: '/tmp/app.sock' }), 'ENOENT', 'final symlink to a host path');
      await rejects(connectIn(c.pid, { path: '/tmp/appdir/host.sock' }), 'ENOENT', 'directory symlink to a host path');
      await rejects(connectIn(c.pid, { path: '/tmp/to-file.sock' }), 'ENOTSOCK', 'symlink to a regular file');
      // The same host path made real inside the container: the link now reaches that one, ours.
      ours = await listenIn(c.pid, { path: '/tmp/inside.sock' });
      ours.on('connection', (conn) => conn.end('INSIDE\n'));
      sh(c.name, `mkdir -p ${dir} && ln -s /tmp/inside.sock ${hostSock}`);
      const s = await connectIn(c.pid, { path: '/tmp/app.sock' });
      const text = await new Promise<string>((resolve) => {
        let t = '';
        s.on('data', (b) => {
          t += b.toString();
        });
        s.on('end', () => resolve(t));
      });
      assert.is(text, 'INSIDE\n', "symlinks are followed inside the container's root");
      await new Promise((r) => setTimeout(r, 200));
      assert.is(reached, 0, "the host's socket was never reached");
    } finally {
      ours?.close();
      server.close();
      c.remove();
    }
  },
);

/** Runs test/runtimes/hostile/read-interface-loop.ts in a child process; undefined when it did not finish in time. */
function readLoop(
  pid: number,
  count: number,
  timeoutMs: number,
): Promise<{ sources: Record<string, number>; errors: Record<string, number>; hostData: number; maxGapMs: number } | undefined> {
  const script = fileURLToPath(new URL('./hostile/read-interface-loop.ts', import.meta.url));
  return new Promise((resolve) => {
    const child = spawnChild(process.execPath, ['--import', 'tsx', script, String(pid), 'lo', String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b) => {
      out += b;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? JSON.parse(out) : undefined);
    });
  });
}

/**
 * A container whose init is chrooted in /fake, where /fake/sys/class is swapped without pause
 * (renameat2 RENAME_EXCHANGE) between a link to the container's real sysfs (escaping the chroot
 * with '..', as a walk from the host does) and `evil`.
 */
function swappingContainer(evil: string, setup = ''): ReturnType<typeof startDocker> {
  return startDocker({
    flags: ['--network', 'none', '-v', `${attackerBinary()}:/attacker:ro`],
    cmd: [
      'sh',
      '-c',
      `set -e; mkdir -p /fake/sys; cp /attacker /fake/attacker; ${setup}
      ln -s ../../sys/class /fake/sys/class; ln -s ${evil} /fake/sys/evil
      /attacker swap /fake/sys/class /fake/sys/evil & exec chroot /fake /attacker sleep`,
    ],
  });
}

withRuntime('docker', 'readInterfaceStats: 300 calls against a renameat2 swap never return host files as target-sysfs', async () => {
  // Host files dressed as a sysfs `lo`: mtu 4242 and a host_marker counter give them away.
  const host = hostTempDir('nsjoin-hostsys-');
  mkdirSync(join(host, 'class/net'), { recursive: true });
  mkdirSync(join(host, 'devices/lo/statistics'), { recursive: true });
  symlinkSync('../../devices/lo', join(host, 'class/net/lo'));
  const files: Record<string, string> = { ifindex: '1', mtu: '4242', operstate: 'unknown', address: '00:00:00:00:00:00' };
  for (const [f, v] of Object.entries(files)) writeFileSync(join(host, 'devices/lo', f), `${v}\n`);
  for (const f of ['rx_bytes', 'tx_bytes', 'rx_packets', 'tx_packets', 'host_marker'])
    writeFileSync(join(host, 'devices/lo/statistics', f), '0\n');
  const c = swappingContainer(`${host}/class`);
  try {
    const r = await readLoop(c.pid, 300, 120_000);
    assert.ok(r, 'the 300 calls finished');
    console.log(
      `# 300 calls: sources ${JSON.stringify(r!.sources)}, errors ${JSON.stringify(r!.errors)}, longest event-loop stall ${r!.maxGapMs} ms`,
    );
    assert.is(r!.hostData, 0, `${r!.hostData} of 300 calls returned host files labelled target-sysfs`);
    assert.is((r!.sources['target-sysfs'] ?? 0) + (r!.sources['joined'] ?? 0) + Object.values(r!.errors).reduce((a, b) => a + b, 0), 300);
    assert.ok((r!.sources['joined'] ?? 0) > 0, 'the figures still come, by joining the namespace');
  } finally {
    c.remove();
  }
});

withRuntime('docker', 'readInterfaceStats: FIFOs where sysfs files should be never block the event loop', async () => {
  const names = [
    'ifindex',
    'mtu',
    'operstate',
    'address',
    'speed',
    'statistics/rx_bytes',
    'statistics/tx_bytes',
    'statistics/rx_packets',
    'statistics/tx_packets',
  ];
  const c = swappingContainer(
    '../fifo/class',
    `mkdir -p /fake/fifo/class/net /fake/fifo/devices/lo/statistics; ln -s ../../devices/lo /fake/fifo/class/net/lo
      for f in ${names.join(' ')}; do mkfifo /fake/fifo/devices/lo/$f; done;`,
  );
  try {
    // Stuck in open() on a FIFO, the child would never print: it is killed after 60 s.
    const r = await readLoop(c.pid, 300, 60_000);
    assert.ok(r, 'readInterfaceStats did not return: the event loop was held in open() on a FIFO');
    console.log(
      `# 300 calls: sources ${JSON.stringify(r!.sources)}, errors ${JSON.stringify(r!.errors)}, longest event-loop stall ${r!.maxGapMs} ms`,
    );
  } finally {
    c.remove();
  }
});

withRuntime('docker', 'a 128 MiB cmdline and environ: reads fail closed with EFBIG, other containers are still read', async () => {
  const hostile = startDocker({ flags: ['-v', `${attackerBinary()}:/attacker:ro`], cmd: ['/attacker', 'huge', String(256 * 1024 * 1024)] });
  const other = startDocker();
  try {
    for (let i = 0; i < 100 && !docker('logs', hostile.name).includes('ready'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(docker('logs', hostile.name), 'ready');
    const started = performance.now();
    for (const file of ['cmdline', 'environ']) {
      let err: unknown;
      try {
        readText(`/proc/${hostile.pid}/${file}`, hostile.pid);
      } catch (e) {
        err = e;
      }
      assert.instance(err, NsError, `${file}: read in full, no error`);
      assert.is((err as NsError).code, 'EFBIG', (err as Error).message);
      assert.match((err as Error).message, /exceeded 16777216 bytes/);
    }
    console.log(`# two refused reads: ${(performance.now() - started).toFixed(1)} ms`);
    await rejects(
      Promise.resolve().then(() => execFile(hostile.pid, '/attacker', ['sleep'], { env: 'target', timeout: 5000 })),
      'EFBIG',
      "exec with the target's environ",
    );
    // Nothing is left over for the next reads, of this container and of others.
    assert.ok(readNetDev(other.pid).devices.some((d) => d.name === 'eth0'));
    assert.match(Object.values(cgroupOf(other.pid).controllers).join(' '), other.id);
    assert.is(readText(`/proc/${other.pid}/cmdline`, other.pid), 'sleep\u0000100000\u0000');
    assert.match(readText(`/proc/${hostile.pid}/comm`, hostile.pid), /^attacker\n$/);
    const row = listNamespaces().find((r) => r.pid === hostile.pid);
    assert.is(row?.command, 'attacker', 'listed under its comm');
    const cli = await nsjoin(['ns', hostile.id.slice(0, 12)]);
    assert.is(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /attacker/);
  } finally {
    hostile.remove();
    other.remove();
  }
});

test.run();
