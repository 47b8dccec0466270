// nsjoin net: the network interfaces the target sees and their counters, laid out as `ip -s link`,
// read from /proc/PID/net/dev without joining its namespace.
import { readNetDev, type NetDevStat } from '../net/netdev.js';
import { parse, printJson, resolveCliTarget, UsageError } from './common.js';
import { escapeText } from './escape.js';

/** Usage of `nsjoin net`. */
export const help = `Usage: nsjoin net TARGET [--json]

Network interfaces of TARGET's network namespace with their counters since they
were created, laid out like ip -s link (from /proc/PID/net/dev, without joining).

Options:
      --json     print the sample (devices with rx and tx counters) as JSON
  -h, --help     show this help
`;

function block(label: string, header: string[], values: number[]): string {
  const cells = values.map(String);
  const widths = header.map((h, i) => Math.max(h.length, cells[i]!.length));
  const head = header.map((h, i) => h.padStart(widths[i]!)).join(' ');
  const body = cells.map((c, i) => c.padStart(widths[i]!)).join(' ');
  return `    ${label}  ${head}\n    ${' '.repeat(label.length)}  ${body}\n`;
}

function device(d: NetDevStat, n: number): string {
  return (
    `${d.ifindex ?? n}: ${escapeText(d.name)}\n` +
    block(
      'RX:',
      ['bytes', 'packets', 'errors', 'dropped', 'fifo', 'frame', 'mcast'],
      [d.rx.bytes, d.rx.packets, d.rx.errs, d.rx.drop, d.rx.fifo, d.rx.frame, d.rx.multicast],
    ) +
    block(
      'TX:',
      ['bytes', 'packets', 'errors', 'dropped', 'fifo', 'carrier', 'collsns'],
      [d.tx.bytes, d.tx.packets, d.tx.errs, d.tx.drop, d.tx.fifo, d.tx.carrier, d.tx.colls],
    )
  );
}

/** Runs `nsjoin net`; returns the exit status. */
export function run(argv: string[]): number {
  const args = parse(argv, { json: { type: 'boolean' } }, help, 'net');
  if (!args) return 0;
  if (args.positionals.length > 1) throw new UsageError('at most one TARGET', "see 'nsjoin net --help'");
  const target = resolveCliTarget(args.positionals[0], 'net');
  const sample = readNetDev(target.pid, { ifindex: true });
  if (args.values['json']) {
    printJson(target.container ? { ...sample, container: target.container } : sample);
    return 0;
  }
  process.stdout.write(sample.devices.map((d, i) => device(d, i + 1)).join(''));
  return 0;
}
