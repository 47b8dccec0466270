// nsjoin ps: the containers on this host, like `docker ps` and `docker stats --no-stream` together.
import { setTimeout as sleep } from 'node:timers/promises';
import { cgroupOf } from '../cgroup/locate.js';
import { cgroupRates } from '../cgroup/sampler.js';
import { readCgroupStats } from '../cgroup/stats.js';
import type { CgroupStats } from '../cgroup/types.js';
import { listContainers, type Container } from '../containers.js';
import { humanBytes, intervalMs, parse, percent, printJson, table } from './common.js';

/** Longest name or image shown in the table (--json carries them whole). */
const CELL_MAX = 40;
const cell = (text: string | undefined): string =>
  text === undefined ? '-' : text.length > CELL_MAX ? `${text.slice(0, CELL_MAX - 3)}...` : text;

/** Usage of `nsjoin ps`. */
export const help = `Usage: nsjoin ps [--json] [-i MS]

List the containers on this host, found from /proc/*/cgroup (docker, containerd,
cri-o, podman, lxc, systemd-nspawn, Kubernetes pods), with the CPU they used over
an interval (100% = one core) and their memory working set against the limit.
NAME and IMAGE come from the runtimes' own state files; for a Kubernetes pod's
container NAME is the container's name, with its NAMESPACE and POD (the pod's
sandbox shows as (sandbox)). Any of these names is a TARGET for the other commands.

Options:
  -i, --interval MS  CPU sampling interval in milliseconds (default 500)
      --json         print an array of containers with their figures
  -h, --help         show this help
`;

/** One row of `nsjoin ps --json`. */
export interface PsRow extends Container {
  cpu: { cores: number; percentOfLimit: number | null; limitCores: number | null } | null;
  memory: { used: number; usage: number; limit: number | null } | null;
}

function snapshot(c: Container): CgroupStats | undefined {
  try {
    return readCgroupStats(cgroupOf(c.pid));
  } catch {
    return undefined; // exited meanwhile: listed without figures
  }
}

/** Runs `nsjoin ps`; resolves with the exit status. */
export async function run(argv: string[]): Promise<number> {
  const args = parse(argv, { json: { type: 'boolean' }, interval: { type: 'string', short: 'i' } }, help, 'ps');
  if (!args) return 0;
  const ms = intervalMs(args.values['interval'], 500);
  const containers = listContainers();
  const before = containers.map(snapshot);
  if (containers.length > 0) await sleep(ms);
  const rows: PsRow[] = containers.map((c, i) => {
    const prev = before[i];
    const next = snapshot(c);
    const row: PsRow = { ...c, cpu: null, memory: null };
    if (next?.memory) row.memory = { used: next.memory.workingSet, usage: next.memory.usage, limit: next.memory.limit };
    if (prev && next && next.timestampNs > prev.timestampNs) {
      const r = cgroupRates(prev, next);
      if (r.cpu) row.cpu = { cores: r.cpu.cores, percentOfLimit: r.cpu.percentOfLimit, limitCores: next.cpu?.limitCores ?? null };
    }
    return row;
  });
  if (args.values['json']) {
    printJson(rows);
    return 0;
  }
  process.stdout.write(
    table(
      ['CONTAINER ID', 'NAME', 'IMAGE', 'RUNTIME', 'PID', 'PROCS', 'NAMESPACE', 'POD', 'QOS', 'CPU %', 'MEM USED / LIMIT'],
      rows.map((r) => [
        r.id.slice(0, 12),
        r.sandbox ? '(sandbox)' : cell(r.name),
        cell(r.image),
        r.runtime,
        String(r.pid),
        String(r.pids.length),
        cell(r.pod?.namespace),
        r.pod ? cell(r.pod.name ?? r.pod.uid) : '-',
        r.pod ? r.pod.qos : '-',
        r.cpu ? percent(r.cpu.cores * 100) : '-',
        r.memory ? `${humanBytes(r.memory.used)} / ${r.memory.limit === null ? 'unlimited' : humanBytes(r.memory.limit)}` : '-',
      ]),
      [4, 5, 9],
    ),
  );
  return 0;
}
