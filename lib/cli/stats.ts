// nsjoin stats: one snapshot of a target's cgroup and network, with rates over an interval.
import { setTimeout as sleep } from 'node:timers/promises';
import { humanBytes, humanRate, intervalMs, parse, percent, printJson, resolveCliTarget, UsageError } from './common.js';
import { Sampler, type Figures } from './sample.js';
import { escapeText } from './escape.js';

/** Usage of `nsjoin stats`. */
export const help = `Usage: nsjoin stats TARGET [-i MS] [--json]

CPU, memory, block IO, pids and network of TARGET's cgroup and network namespace,
with rates measured over an interval (default 1000 ms): what the container really
has and uses, where top and free inside it show the host's.

Options:
  -i, --interval MS  measuring interval in milliseconds (default 1000)
      --json         print { pid, container?, stats, rates, net, memory, cpu } as JSON
  -h, --help         show this help
`;

function cores(n: number | null | undefined): string {
  return n === null || n === undefined ? 'unlimited' : `${Number(n.toFixed(2))} cores`;
}

/** The text `nsjoin stats` prints for one set of figures. */
export function formatStats(label: string, f: Figures): string {
  const s = f.cgroup;
  const lines = [`${escapeText(label)}  cgroup ${s.mode}`];
  if (s.cpu && f.rates.cpu) {
    const r = f.rates.cpu;
    let line = `CPU      ${r.cores.toFixed(2)} cores used (${percent(r.cores * 100)})  limit ${cores(s.cpu.limitCores)}`;
    if (r.percentOfLimit !== null) line += ` (${percent(r.percentOfLimit)} of it)`;
    if (f.cpu) line += `  nproc ${f.cpu.cpus}`;
    if (r.throttledShare !== null) {
      line += `  throttled ${percent(r.throttledShare * 100)} of periods`;
      if (s.cpu.throttled) line += ` (${(s.cpu.throttled.throttledNs / 1e9).toFixed(2)} s in all)`;
    }
    lines.push(line);
  }
  if (s.memory) {
    const m = s.memory;
    const limit = m.limit === null ? 'unlimited' : humanBytes(m.limit);
    let line = `Memory   ${humanBytes(m.workingSet)} used / ${limit}`;
    if (m.limit !== null) line += ` (${percent((m.workingSet / m.limit) * 100)})`;
    line += `  usage ${humanBytes(m.usage)}  cache ${humanBytes(m.cache)}`;
    if (m.peak !== undefined) line += `  peak ${humanBytes(m.peak)}`;
    if (m.swap) line += `  swap ${humanBytes(m.swap.usage)}`;
    line += `  OOM kills ${m.oom.kills}`;
    lines.push(line);
  }
  if (s.io && f.rates.io) {
    lines.push(
      `IO       read ${humanRate(f.rates.io.readBytesPerSec)}  write ${humanRate(f.rates.io.writeBytesPerSec)}  (in all: read ${humanBytes(s.io.readBytes)}, written ${humanBytes(s.io.writeBytes)})`,
    );
  }
  if (s.pids) lines.push(`PIDs     ${s.pids.current} / ${s.pids.limit ?? 'unlimited'}`);
  if (f.net) {
    const names = f.net.interfaces.filter((i) => i.name !== 'lo').map((i) => escapeText(i.name));
    lines.push(
      `Net      rx ${humanRate(f.net.total.rx.bytes)}  tx ${humanRate(f.net.total.tx.bytes)}  (${names.length ? names.join(', ') : 'no interface but lo'})`,
    );
  }
  if (s.pressure?.cpu || s.pressure?.memory || s.pressure?.io) {
    const p = (k: 'cpu' | 'memory' | 'io') => `${k} ${s.pressure?.[k]?.some.avg10.toFixed(2) ?? '-'}%`;
    lines.push(`Pressure some avg10: ${p('cpu')}  ${p('memory')}  ${p('io')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `nsjoin stats`; resolves with the exit status. */
export async function run(argv: string[]): Promise<number> {
  const args = parse(argv, { json: { type: 'boolean' }, interval: { type: 'string', short: 'i' } }, help, 'stats');
  if (!args) return 0;
  if (args.positionals.length > 1) throw new UsageError('at most one TARGET', "see 'nsjoin stats --help'");
  const ms = intervalMs(args.values['interval'], 1000);
  const target = resolveCliTarget(args.positionals[0], 'stats');
  const sampler = new Sampler(target.pid);
  const prev = sampler.read();
  await sleep(ms);
  const f = sampler.figures(prev, sampler.read());
  if (args.values['json']) {
    printJson({
      pid: target.pid,
      ...(target.container ? { container: target.container } : {}),
      stats: f.cgroup,
      rates: f.rates,
      net: f.net ?? null,
      memory: f.memory ?? null,
      cpu: f.cpu ?? null,
    });
    return 0;
  }
  process.stdout.write(formatStats(target.label, f));
  return 0;
}
