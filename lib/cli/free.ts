// nsjoin free: what `free` would print inside the container if it read the container's cgroup.
import { meminfo, memoryView, type MemoryView } from '../views.js';
import { humanBytes, parse, printJson, resolveCliTarget, UsageError } from './common.js';

/** Usage of `nsjoin free`. */
export const help = `Usage: nsjoin free TARGET [-h | -b | -k | -m | -g] [--meminfo] [--json]

Memory of TARGET's container as free shows it, from its cgroup: total is the
effective limit (capped at the host's memory), used is the working set (usage
minus inactive file cache), available adds back the reclaimable file cache.

Options:
  -h, --human    sizes with units (Ki, Mi, Gi), as free -h
  -b, --bytes    bytes     -k, --kibi  KiB (default)
  -m, --mebi     MiB       -g, --gibi  GiB
      --meminfo  print /proc/meminfo-format text for the container instead
      --json     print the figures in bytes as JSON
      --help     show this help
`;

/** Runs `nsjoin free`; returns the exit status. */
export function run(argv: string[]): number {
  const args = parse(
    argv,
    {
      human: { type: 'boolean', short: 'h' },
      bytes: { type: 'boolean', short: 'b' },
      kibi: { type: 'boolean', short: 'k' },
      mebi: { type: 'boolean', short: 'm' },
      gibi: { type: 'boolean', short: 'g' },
      meminfo: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    help,
    'free',
  );
  if (!args) return 0;
  if (args.positionals.length > 1) throw new UsageError('at most one TARGET', "see 'nsjoin free --help'");
  const target = resolveCliTarget(args.positionals[0], 'free');
  if (args.values['meminfo']) {
    process.stdout.write(meminfo(target.pid));
    return 0;
  }
  const view = memoryView(target.pid);
  if (args.values['json']) {
    printJson({ pid: target.pid, ...(target.container ? { container: target.container } : {}), ...view });
    return 0;
  }
  const v = args.values;
  const unit = v['bytes'] ? 1 : v['mebi'] ? 1024 ** 2 : v['gibi'] ? 1024 ** 3 : 1024;
  const show = (n: number): string => (v['human'] ? humanBytes(n) : String(Math.floor(n / unit)));
  process.stdout.write(formatFree(view, show));
  return 0;
}

/** free's layout: a 9-wide label, then 11-wide columns (12 with the separating space). */
export function formatFree(m: MemoryView, show: (n: number) => string): string {
  const row = (label: string, cells: string[]): string =>
    `${label.padEnd(9)}${cells.map((c, i) => (i === 0 ? c.padStart(11) : ` ${c.padStart(11)}`)).join('')}`;
  return (
    [
      row('', ['total', 'used', 'free', 'shared', 'buff/cache', 'available']),
      row('Mem:', [m.total, m.used, m.free, m.shared, m.buffCache, m.available].map(show)),
      row('Swap:', [m.swapTotal, m.swapUsed, m.swapFree].map(show)),
    ].join('\n') + '\n'
  );
}
