// Measuring helpers shared by the bench groups. Variants of one comparison run interleaved (A, B,
// A, B, ...) rather than one after the other, so that drift on a shared VM (frequency, noisy
// neighbours, page cache) lands on both sides of a ratio; ratios are taken per round (paired) and
// summarised by their median and quartiles.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

export const QUICK = process.env.BENCH_QUICK === '1';

/** Picks the full or the quick-mode size of a loop. */
export const size = (full: number, quick: number): number => (QUICK ? quick : full);

export interface Summary {
  n: number;
  median: number;
  p25: number;
  p75: number;
  min: number;
}

export function summarise(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => {
    if (s.length === 0) return NaN;
    const i = (s.length - 1) * p;
    const lo = Math.floor(i),
      hi = Math.ceil(i);
    return s[lo]! + (s[hi]! - s[lo]!) * (i - lo);
  };
  return { n: s.length, median: q(0.5), p25: q(0.25), p75: q(0.75), min: s[0] ?? NaN };
}

/** One figure of the report: a subject against a baseline measured in the same run. */
export interface Ratio {
  group: string;
  name: string;
  subject: string;
  baseline: string;
  /** Per-operation time of each side (ms for exec, µs for reads and parsers; see unit). */
  subjectTime: Summary;
  baselineTime: Summary;
  unit: 'ms' | 'µs' | 'ops/s' | 'MB';
  /** subject / baseline of the medians (for ops/s: baseline / subject, so lower is always better). */
  ratio: number;
  /** Quartiles of the per-round paired ratios. */
  ratioP25: number;
  ratioP75: number;
  /** What the issue asks of this ratio, e.g. '<= 0.8'; empty when it is reported only. */
  goal: string;
  met?: boolean;
  note?: string;
}

/** An absolute figure with its own goal (RSS growth), for what has no baseline to divide by. */
export interface Figure {
  group: string;
  name: string;
  value: number;
  unit: string;
  goal: string;
  met?: boolean;
  note?: string;
}

/** What a bench group hands back to run.ts. */
export interface GroupResult {
  group: string;
  ratios: Ratio[];
  figures: Figure[];
  /** Free-form lines (absolute figures, caveats). */
  notes: string[];
}

export function makeFigure(group: string, name: string, value: number, unit: string, goal = '', note?: string): Figure {
  const f: Figure = { group, name, value, unit, goal };
  const met = goalMet(goal, value);
  if (met !== undefined) f.met = met;
  if (note) f.note = note;
  return f;
}

export function formatFigure(f: Figure): string {
  const verdict = f.met === undefined ? '' : f.met ? '  met' : '  NOT met';
  return `  ${f.name}: ${f.value.toFixed(1)} ${f.unit}${f.goal ? `  goal ${f.goal} ${f.unit}${verdict}` : ''}${f.note ? `\n    note: ${f.note}` : ''}`;
}

export function goalMet(goal: string, ratio: number): boolean | undefined {
  const m = /^(<=|>=|<)\s*([\d.]+)$/.exec(goal);
  if (!m) return undefined;
  const v = Number(m[2]);
  return m[1] === '>=' ? ratio >= v : m[1] === '<' ? ratio < v : ratio <= v;
}

export function makeRatio(
  group: string,
  name: string,
  subject: string,
  baseline: string,
  subjectSamples: number[],
  baselineSamples: number[],
  unit: Ratio['unit'],
  goal = '',
  note?: string,
): Ratio {
  const a = summarise(subjectSamples),
    b = summarise(baselineSamples);
  const paired: number[] = [];
  for (let i = 0; i < Math.min(subjectSamples.length, baselineSamples.length); i++) {
    paired.push(subjectSamples[i]! / baselineSamples[i]!);
  }
  const p = summarise(paired);
  const ratio = a.median / b.median;
  const r: Ratio = {
    group,
    name,
    subject,
    baseline,
    subjectTime: a,
    baselineTime: b,
    unit,
    ratio,
    ratioP25: p.p25,
    ratioP75: p.p75,
    goal,
  };
  const met = goalMet(goal, ratio);
  if (met !== undefined) r.met = met;
  if (note) r.note = note;
  return r;
}

/**
 * 'cpu': user + system CPU time of this process, so that time spent waiting for a CPU on a busy
 * host is not counted (what reads and parsing cost is the CPU they take; the syscalls are
 * in-kernel work of this process). 'wall': elapsed time.
 */
export type Clock = 'cpu' | 'wall';
function now(clock: Clock): number {
  if (clock === 'wall') return Number(process.hrtime.bigint()) / 1000;
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * Runs synchronous variants interleaved: `rounds` rounds, each variant timed over `batch` calls per
 * round (order rotated every round). Returns µs per call (by `clock`), one sample per round, per variant.
 */
export function interleaveSync(
  variants: Array<() => unknown>,
  rounds: number,
  batch: number,
  warmup = 2,
  clock: Clock = 'cpu',
): number[][] {
  const out = variants.map(() => [] as number[]);
  // Until the JIT has optimised each variant, a round measures the compiler, not the code.
  for (const fn of variants) {
    const until = performance.now() + (QUICK ? 30 : 150);
    while (performance.now() < until) for (let i = 0; i < batch; i++) fn();
  }
  for (let r = -warmup; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = (k + Math.max(r, 0)) % variants.length;
      const fn = variants[v]!;
      const t0 = now(clock);
      for (let i = 0; i < batch; i++) fn();
      const dt = (now(clock) - t0) / batch;
      if (r >= 0) out[v]!.push(dt);
    }
  }
  return out;
}

/**
 * As interleaveSync for async variants, one call per sample, in ms (wall time). A variant that
 * resolves to a number has timed itself: that number (ms) is the sample (the exec floor does).
 */
export async function interleaveAsync(variants: Array<() => Promise<unknown>>, rounds: number, warmup = 10): Promise<number[][]> {
  const out = variants.map(() => [] as number[]);
  for (let r = -warmup; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = (k + Math.max(r, 0)) % variants.length;
      const t0 = process.hrtime.bigint();
      const own = await variants[v]!();
      const dt = typeof own === 'number' ? own : Number(process.hrtime.bigint() - t0) / 1e6;
      if (r >= 0) out[v]!.push(dt);
    }
  }
  return out;
}

export function rssMB(): number {
  return process.memoryUsage.rss() / 2 ** 20;
}

export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

export function machineFacts(): string[] {
  const cpuList = cpus();
  let kernel = release();
  try {
    kernel = execFileSync('uname', ['-srvm'], { encoding: 'utf8' }).trim();
  } catch {
    /* keep release() */
  }
  let cgroupMode = 'unknown';
  try {
    const mi = readFileSync('/proc/self/mountinfo', 'utf8');
    const v1 = / - cgroup /.test(mi),
      v2 = / - cgroup2 /.test(mi);
    cgroupMode = v1 && v2 ? 'hybrid (v1 controllers + cgroup2)' : v2 ? 'v2' : v1 ? 'v1' : 'none';
  } catch {
    /* keep unknown */
  }
  return [
    `date        ${new Date().toISOString()}`,
    `cpu         ${cpuList[0]?.model ?? '?'} x ${cpuList.length}`,
    `memory      ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `kernel      ${kernel}`,
    `node        ${process.version} (V8 ${process.versions.v8})`,
    `cgroups     ${cgroupMode}`,
    `mode        ${QUICK ? 'quick (BENCH_QUICK=1): sizes cut down, figures are a smoke test only' : 'full'}`,
  ];
}

const fmt = (x: number, unit: Ratio['unit']): string =>
  unit === 'ms' ? x.toFixed(3) : unit === 'µs' ? x.toFixed(2) : unit === 'MB' ? x.toFixed(1) : x.toFixed(0);

export function formatRatio(r: Ratio): string {
  const verdict = r.met === undefined ? '' : r.met ? '  met' : '  NOT met';
  const goal = r.goal ? `  goal ${r.goal}${verdict}` : '';
  return [
    `  ${r.name}`,
    `    ${r.subject}: median ${fmt(r.subjectTime.median, r.unit)} ${r.unit} [p25 ${fmt(r.subjectTime.p25, r.unit)}, p75 ${fmt(r.subjectTime.p75, r.unit)}] n=${r.subjectTime.n}`,
    `    ${r.baseline}: median ${fmt(r.baselineTime.median, r.unit)} ${r.unit} [p25 ${fmt(r.baselineTime.p25, r.unit)}, p75 ${fmt(r.baselineTime.p75, r.unit)}] n=${r.baselineTime.n}`,
    `    ratio ${r.ratio.toFixed(3)}x (paired p25-p75 ${r.ratioP25.toFixed(3)}-${r.ratioP75.toFixed(3)})${goal}`,
    ...(r.note ? [`    note: ${r.note}`] : []),
  ].join('\n');
}
