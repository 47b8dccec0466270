// RSS growth over 10,000 spawns and 1,000,000 parses, in a fresh worker process: the figure is the
// RSS after a forced GC minus the RSS after a warm-up (also GC'd), so JIT code and pools that any
// first use allocates are not counted as growth; what is left is what stays per call (a leak).
import { readFileSync } from 'node:fs';
import { parseFlatKeyed, parseNetDev } from '../lib/index.js';
import { runNsjoin, runPlain } from './exec.js';
import { gc, makeFigure, rssMB, size, type GroupResult } from './harness.js';
import { hostNetDev } from './parsers.js';

async function many(count: number, inFlight: number, one: () => Promise<void>): Promise<void> {
  let left = count;
  const lane = async () => { while (left-- > 0) await one(); };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

const settled = async (): Promise<number> => {
  await new Promise((r) => setTimeout(r, 50));
  gc();
  return rssMB();
};

export async function memoryGroup(o: { target: number }): Promise<GroupResult> {
  const group = 'memory: RSS growth';
  const res: GroupResult = { group, ratios: [], figures: [], notes: [] };
  const spawns = size(10_000, 300), parses = size(1_000_000, 20_000);
  const nd = hostNetDev();
  let ms: string;
  try { ms = readFileSync('/sys/fs/cgroup/memory/memory.stat', 'utf8'); } catch { ms = readFileSync('/sys/fs/cgroup/memory.stat', 'utf8'); }

  await many(size(500, 50), 8, () => runNsjoin(o.target));
  await many(size(500, 50), 8, runPlain);
  for (let i = 0; i < 20_000; i++) { parseNetDev(nd); parseFlatKeyed(ms); }
  const r0 = await settled();
  await many(spawns, 8, () => runNsjoin(o.target));
  const r1 = await settled();
  res.figures.push(makeFigure(group, `after ${spawns} nsjoin spawns (8 in flight, /bin/true into the target)`, r1 - r0, 'MB', '< 10', `RSS ${r0.toFixed(1)} -> ${r1.toFixed(1)} MB`));
  await many(spawns, 8, runPlain);
  const r2 = await settled();
  res.figures.push(makeFigure(group, `reference: after ${spawns} child_process.spawn (same load)`, r2 - r1, 'MB', '', `RSS ${r1.toFixed(1)} -> ${r2.toFixed(1)} MB`));
  let keep = 0;
  for (let i = 0; i < parses / 2; i++) {
    keep += parseNetDev(nd).length;
    keep += parseFlatKeyed(ms, 'memory.stat')['cache'] ?? 1;
  }
  const r3 = await settled();
  res.figures.push(makeFigure(group, `after ${parses} parses (half parseNetDev of 24 devices, half memory.stat)`, r3 - r2, 'MB', '< 10', `RSS ${r2.toFixed(1)} -> ${r3.toFixed(1)} MB (checksum ${keep % 10})`));
  return res;
}
