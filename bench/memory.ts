// RSS growth over 10,000 spawns and 1,000,000 parses, in a fresh worker process: each figure is the
// RSS after a forced GC minus the RSS before (also GC'd), so that what stays is what a call leaves
// behind; the V8 heap figures beside it tell heap sizing from live data.
import { readFileSync } from 'node:fs';
import { parseFlatKeyed, parseNetDev } from '../lib/parse/index.js';
import { runNsjoin, runPlain } from './exec.js';
import { gc, makeFigure, rssMB, size, type GroupResult } from './harness.js';
import { hostNetDev } from './parsers.js';

async function many(count: number, inFlight: number, one: () => Promise<void>): Promise<void> {
  let left = count;
  const lane = async () => {
    while (left-- > 0) await one();
  };
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
  const spawns = size(10_000, 300),
    parses = size(1_000_000, 20_000);
  const nd = hostNetDev();
  let ms: string;
  try {
    ms = readFileSync('/sys/fs/cgroup/memory/memory.stat', 'utf8');
  } catch {
    ms = readFileSync('/sys/fs/cgroup/memory.stat', 'utf8');
  }

  const heap = (): string => {
    const m = process.memoryUsage();
    return `heap used ${(m.heapUsed / 2 ** 20).toFixed(1)} MB of ${(m.heapTotal / 2 ** 20).toFixed(1)} MB`;
  };
  // V8 grows its young generation under a steady allocation rate (here from about 16 to 40 MB of
  // heap over the first 10-20 thousand spawns) and keeps it: that is sizing, not a leak. So the
  // first 10,000 are reported as they come, and the goal applies to the next 10,000.
  await many(size(200, 50), 8, () => runNsjoin(o.target));
  await many(size(200, 50), 8, runPlain);
  for (let i = 0; i < 20_000; i++) {
    parseNetDev(nd);
    parseFlatKeyed(ms);
  }
  const rw = await settled();
  const hw = heap();
  await many(spawns, 8, () => runNsjoin(o.target));
  const r0 = await settled();
  const h0 = heap();
  res.figures.push(
    makeFigure(
      group,
      `first ${spawns} nsjoin spawns after start-up (8 in flight, /bin/true into the target)`,
      r0 - rw,
      'MB',
      '',
      `RSS ${rw.toFixed(1)} -> ${r0.toFixed(1)} MB; ${hw} -> ${h0}`,
    ),
  );
  await many(spawns, 8, () => runNsjoin(o.target));
  const r1 = await settled();
  res.figures.push(
    makeFigure(
      group,
      `next ${spawns} nsjoin spawns (steady state)`,
      r1 - r0,
      'MB',
      '< 10',
      `RSS ${r0.toFixed(1)} -> ${r1.toFixed(1)} MB; ${heap()}`,
    ),
  );
  await many(spawns, 8, runPlain);
  const r2 = await settled();
  res.figures.push(
    makeFigure(
      group,
      `reference: after ${spawns} child_process.spawn (same load)`,
      r2 - r1,
      'MB',
      '',
      `RSS ${r1.toFixed(1)} -> ${r2.toFixed(1)} MB`,
    ),
  );
  let keep = 0;
  for (let i = 0; i < parses / 2; i++) {
    keep += parseNetDev(nd).length;
    keep += parseFlatKeyed(ms, 'memory.stat')['cache'] ?? 1;
  }
  const r3 = await settled();
  res.figures.push(
    makeFigure(
      group,
      `after ${parses} parses (half parseNetDev of 24 devices, half memory.stat)`,
      r3 - r2,
      'MB',
      '< 10',
      `RSS ${r2.toFixed(1)} -> ${r3.toFixed(1)} MB; ${heap()} (checksum ${keep % 10})`,
    ),
  );
  return res;
}
