// CPU and memory-node lists as cpuset prints them: "0-3,8,10-11", empty when none.
import { ParseError } from '../errors.js';
import { lines, show } from './util.js';

/** Highest CPU or node number accepted (Linux NR_CPUS is at most 8192; this leaves room). */
export const MAX_CPU_ID = 65_535;

/**
 * Parses a cpu list (cpuset.cpus, cpuset.cpus.effective, cpuset.mems, /sys/devices/system/cpu/online)
 * into sorted, distinct numbers. An empty file gives [].
 *
 * @throws ParseError on anything but comma-separated numbers and ranges a-b (a <= b <= MAX_CPU_ID)
 */
export function parseCpuList(text: string, file = 'cpu list'): number[] {
  const all = lines(text);
  if (all.length > 1) throw new ParseError(file, 2, 'expected one line');
  const body = (all[0] ?? '').trim();
  if (body === '') return [];
  const seen = new Set<number>();
  for (const part of body.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new ParseError(file, 1, `bad cpu range ${show(part)}`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from || to > MAX_CPU_ID) throw new ParseError(file, 1, `bad cpu range ${show(part)}`);
    for (let cpu = from; cpu <= to; cpu++) seen.add(cpu);
  }
  return [...seen].sort((a, b) => a - b);
}
