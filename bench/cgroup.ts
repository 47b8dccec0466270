// readCgroupStats and a host scan against their read floor. The floor is found, not assumed: one
// call runs with node:fs instrumented, which records every file it read to the end; the floor is
// then open/read-to-EOF/close of exactly those files into one reused buffer, with the same
// node:fs calls, timed interleaved with the real thing. Whatever nsjoin does beyond that (parsing,
// objects, probes for files that are not there, directory listings) is the ratio's excess.
import fs from 'node:fs';
import { cgroupOf, readCgroupStats, readNetDev } from '../lib/index.js';
import { makeContainers } from './fixtures.js';
import { interleaveSync, makeRatio, size, type GroupResult } from './harness.js';
import { record } from '../test/helpers/fs-record.js';

const floorBuf = Buffer.allocUnsafe(64 * 1024);
/** open, read until EOF, close: what any reader of these files pays at least. */
export function readFloor(paths: string[]): void {
  for (const p of paths) {
    let fd: number;
    try {
      fd = fs.openSync(p, 'r');
    } catch {
      continue; /* a process of the scan exited */
    }
    try {
      let off = 0;
      for (;;) {
        const n = fs.readSync(fd, floorBuf, off, floorBuf.length - off, null);
        if (n === 0) break;
        off += n;
        if (off === floorBuf.length) off = 0;
      }
    } catch {
      /* gone mid-read */
    }
    fs.closeSync(fd);
  }
}

/** Same, plus the directory listing of /proc that any scan of processes needs. */
function scanFloor(paths: string[], listings: string[]): void {
  for (const d of listings) fs.readdirSync(d);
  readFloor(paths);
}

interface ContainersModule {
  listContainers(): Array<{ id: string; pid: number; cgroup: string }>;
}

export async function cgroupGroup(): Promise<GroupResult> {
  const res: GroupResult = { group: 'cgroup and network reads vs the read floor', ratios: [], figures: [], notes: [] };
  const count = size(500, 20);
  const t0 = Date.now();
  const made = await makeContainers(count);
  res.notes.push(
    `made ${made.length} cgroups (docker/<id> in each v1 hierarchy of cpu, cpuacct, memory, pids, blkio; cgroup2 on pure v2 hosts), one sleeping process in each, in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );

  // One snapshot of one container's cgroup: by location (what a sampler holds), and by pid.
  const pid = made[0]!.pid;
  const loc = cgroupOf(pid);
  const rounds = size(200, 10),
    batch = size(30, 5);
  for (const [name, fn] of [
    [
      'readCgroupStats(location) (cgroupOf done once, as a sampler does)',
      () => {
        readCgroupStats(loc);
      },
    ],
    [
      'readCgroupStats(pid) (cgroupOf each time: /proc/PID/cgroup, and mountinfo only when the kernel marks it changed)',
      () => {
        readCgroupStats(pid);
      },
    ],
  ] as const) {
    fn(); // a first call loads what later calls reuse (the addon, the watched mount table)
    const rec = record(fn);
    const [a, b] = interleaveSync([fn, () => readFloor(rec.read)], rounds, batch);
    res.ratios.push(
      makeRatio(
        res.group,
        name,
        'readCgroupStats',
        `read floor (${rec.read.length} files)`,
        a!,
        b!,
        'µs',
        '<= 1.25',
        `beyond the floor: ${rec.probes} failed opens/existence checks${rec.listings ? `, ${rec.listings} directory listings` : ''}`,
      ),
    );
  }

  // Network counters of a namespace (this process's: the host's, with its bridges and veths).
  const self = process.pid;
  for (const [name, fn, goal] of [
    [
      'readNetDev(pid)',
      () => {
        readNetDev(self);
      },
      '<= 1.5',
    ],
    [
      'readNetDev(pid, { ifindex: true }) (also net/igmp, net/if_inet6)',
      () => {
        readNetDev(self, { ifindex: true });
      },
      '',
    ],
  ] as const) {
    const rec = record(fn);
    const floorFiles = [`/proc/${self}/net/dev`];
    const [a, b] = interleaveSync([fn, () => readFloor(floorFiles)], rounds, batch);
    res.ratios.push(
      makeRatio(
        res.group,
        `${name} vs /proc/PID/net/dev alone (${readNetDev(self).devices.length} devices)`,
        'readNetDev',
        'read floor (net/dev)',
        a!,
        b!,
        'µs',
        goal,
        `reads ${rec.read.map((f) => f.replace(/^\/proc\/\d+\//, '')).join(', ')}; beyond the floor: ${rec.probes} readlinks/failed opens`,
      ),
    );
  }

  // Host scan: every container and a snapshot of each.
  let mod: ContainersModule | undefined;
  try {
    const spec = '../lib/containers.js';
    mod = (await import(spec)) as ContainersModule;
  } catch (err) {
    res.notes.push(`host scan skipped: lib/containers is not loadable (${(err as Error).message})`);
  }
  if (mod) {
    const { listContainers } = mod;
    const scan = (): number => {
      let n = 0;
      for (const c of listContainers()) {
        try {
          readCgroupStats(c.pid);
          n++;
        } catch {
          /* exited mid-scan */
        }
      }
      return n;
    };
    const found = listContainers().filter((c) => made.some((m) => m.id === c.id)).length;
    res.notes.push(`listContainers() finds ${found} of the ${made.length} bench containers`);
    let seen = 0;
    const rec = record(() => {
      seen = scan();
    });
    const sRounds = size(15, 3);
    const [a, b] = interleaveSync([scan, () => scanFloor(rec.read, ['/proc'])], sRounds, 1, 1);
    res.ratios.push(
      makeRatio(
        res.group,
        `host scan: listContainers() + readCgroupStats(pid) of each (${seen} containers)`,
        'scan',
        `read floor (${rec.read.length} files, /proc listed)`,
        a!.map((x) => x / 1000),
        b!.map((x) => x / 1000),
        'ms',
        '<= 1.3',
        `beyond the floor: ${rec.probes} failed opens/existence checks, ${rec.listings} directory listings`,
      ),
    );
  }
  return res;
}
