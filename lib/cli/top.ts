// nsjoin top: a live view of one container from its cgroup: CPU against its limit, memory against
// its limit, IO and network rates, throttling, each with a sparkline of the last minute. q quits.
import { humanBytes, humanRate, intervalMs, parse, percent, resolveCliTarget, UsageError, type ResolvedTarget } from './common.js';
import { Sampler, type Figures, type Reading } from './sample.js';
import { escapeJson, escapeText } from './escape.js';

/** Usage of `nsjoin top`. */
export const help = `Usage: nsjoin top TARGET [-d SECONDS | -i MS] [-n COUNT] [--json]

Live view of TARGET's container: CPU against its quota, memory (working set)
against its limit, block IO and network rates and CPU throttling, each with a
sparkline of the last minute. Press q (or Ctrl-C) to quit.

Options:
  -d, --delay SECONDS  refresh interval in seconds (default 1)
  -i, --interval MS    refresh interval in milliseconds
  -n, --iterations N   stop after N refreshes
      --json           print one JSON object per refresh (newline-delimited), no screen
  -h, --help           show this help
`;

const BARS = '▁▂▃▄▅▆▇█';

/** A sparkline of values in 0..max (max <= 0: scaled to the largest value). */
export function sparkline(values: number[], max?: number): string {
  const top = max !== undefined && max > 0 ? max : Math.max(0, ...values);
  return values
    .map((v) => {
      if (!(top > 0) || !(v > 0)) return BARS[0];
      return BARS[Math.min(BARS.length - 1, Math.floor((v / top) * (BARS.length - 1) + 0.5))];
    })
    .join('');
}

interface History {
  cpu: number[];
  mem: number[];
  io: number[];
  net: number[];
}

function screen(t: ResolvedTarget, f: Figures, h: History, everyMs: number): string {
  const s = f.cgroup;
  const out: string[] = [];
  out.push(`nsjoin top - ${escapeText(t.label)}  cgroup ${s.mode}  every ${everyMs / 1000}s  q quits`);
  out.push('');
  const cpu = f.rates.cpu;
  const limit = s.cpu?.limitCores ?? null;
  const cpus = f.cpu?.cpus;
  if (cpu) {
    let line = `CPU     ${percent(cpu.cores * 100).padStart(7)}  ${cpu.cores.toFixed(2)} of ${limit === null ? `${cpus ?? '?'} CPUs (no quota)` : `${Number(limit.toFixed(2))} cores quota`}`;
    if (cpu.percentOfLimit !== null) line += `  ${percent(cpu.percentOfLimit)} of quota`;
    line += `  throttled ${cpu.throttledShare === null ? '-' : percent(cpu.throttledShare * 100)}`;
    out.push(line, `        ${sparkline(h.cpu, (limit ?? cpus ?? 1) * 100)}`);
  } else out.push('CPU     no CPU accounting in this cgroup', '');
  const mem = s.memory;
  if (mem) {
    const total = f.memory?.total ?? mem.limit;
    let line = `Memory  ${humanBytes(mem.workingSet).padStart(7)} of ${total === null || total === undefined ? 'unlimited' : humanBytes(total)}`;
    if (total) line += `  ${percent((mem.workingSet / total) * 100)}`;
    line += `  cache ${humanBytes(mem.cache)}  OOM kills ${mem.oom.kills}`;
    out.push(line, `        ${sparkline(h.mem, total ?? undefined)}`);
  } else out.push('Memory  no memory accounting in this cgroup', '');
  const io = f.rates.io;
  out.push(
    io ? `IO      read ${humanRate(io.readBytesPerSec)}  write ${humanRate(io.writeBytesPerSec)}` : 'IO      -',
    `        ${sparkline(h.io)}`,
  );
  const net = f.net;
  // Loopback never leaves the container and would be counted twice: it is left out, and said so.
  const names = net
    ? net.interfaces
        .filter((i) => i.name !== 'lo')
        .map((i) => escapeText(i.name))
        .join(', ')
    : '';
  out.push(
    net
      ? `Net     rx ${humanRate(net.total.rx.bytes)}  tx ${humanRate(net.total.tx.bytes)}  (${names || 'only lo, not counted'})`
      : 'Net     - (the process has exited)',
    `        ${sparkline(h.net)}`,
  );
  if (s.pids) out.push(`PIDs    ${s.pids.current} of ${s.pids.limit ?? 'unlimited'}`);
  return out.join('\n');
}

/** Runs `nsjoin top`; resolves with the exit status once q is pressed or the count is reached. */
export async function run(argv: string[]): Promise<number> {
  const args = parse(
    argv,
    {
      delay: { type: 'string', short: 'd' },
      interval: { type: 'string', short: 'i' },
      iterations: { type: 'string', short: 'n' },
      json: { type: 'boolean' },
    },
    help,
    'top',
  );
  if (!args) return 0;
  if (args.positionals.length > 1) throw new UsageError('at most one TARGET', "see 'nsjoin top --help'");
  const delay = args.values['delay'];
  if (delay !== undefined && !(Number(delay) >= 0.05 && Number(delay) <= 3600))
    throw new UsageError(`--delay needs seconds from 0.05 to 3600, got ${String(delay)}`);
  const every = delay !== undefined ? Number(delay) * 1000 : intervalMs(args.values['interval'], 1000);
  const countText = args.values['iterations'];
  const count = countText === undefined ? Infinity : Number(countText);
  if (!(Number.isInteger(count) && count > 0) && count !== Infinity)
    throw new UsageError(`--iterations needs a positive integer, got ${String(countText)}`);
  const json = Boolean(args.values['json']);
  const target = resolveCliTarget(args.positionals[0], 'top');
  const sampler = new Sampler(target.pid);
  const keep = Math.max(2, Math.ceil(60_000 / every));
  const history: History = { cpu: [], mem: [], io: [], net: [] };
  const push = (list: number[], v: number): void => {
    list.push(v);
    if (list.length > keep) list.shift();
  };
  const tty = !json && process.stdout.isTTY === true;
  const stdin = process.stdin;
  return new Promise<number>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (code: number, err?: Error): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onKey);
      process.removeListener('SIGINT', onSigint);
      if (tty) process.stdout.write('\x1b[?25h\x1b[?1049l');
      if (err) reject(err);
      else resolve(code);
    };
    const onKey = (b: Buffer): void => {
      const key = b.toString();
      if (key === 'q' || key === 'Q' || key === '\x03') finish(0);
    };
    const onSigint = (): void => finish(130);
    if (!json) {
      if (stdin.isTTY) stdin.setRawMode(true);
      stdin.on('data', onKey);
      stdin.resume();
    }
    process.on('SIGINT', onSigint);
    if (tty) process.stdout.write('\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J' + `nsjoin top - ${escapeText(target.label)}: measuring...`);
    let prev: Reading = sampler.read();
    let n = 0;
    const tick = (): void => {
      if (done) return;
      try {
        const next = sampler.read();
        const f = sampler.figures(prev, next);
        prev = next;
        push(history.cpu, (f.rates.cpu?.cores ?? 0) * 100);
        push(history.mem, f.cgroup.memory?.workingSet ?? 0);
        push(history.io, (f.rates.io?.readBytesPerSec ?? 0) + (f.rates.io?.writeBytesPerSec ?? 0));
        push(history.net, (f.net?.total.rx.bytes ?? 0) + (f.net?.total.tx.bytes ?? 0));
        if (json) {
          process.stdout.write(
            `${escapeJson(JSON.stringify({ pid: target.pid, ...(target.container ? { container: target.container } : {}), rates: f.rates, net: f.net?.total ?? null, memory: f.memory ?? null, cpu: f.cpu ?? null }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)))}\n`,
          );
        } else if (tty) {
          process.stdout.write(`\x1b[H\x1b[2J${screen(target, f, history, every)}`);
        } else {
          process.stdout.write(`${screen(target, f, history, every)}\n\n`);
        }
        if (++n >= count) {
          finish(0);
          return;
        }
        timer = setTimeout(tick, every);
      } catch (err) {
        finish(1, err as Error); // what our readers throw: NsError, ParseError
      }
    };
    timer = setTimeout(tick, every);
  });
}
