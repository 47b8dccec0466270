// Parsers against the Node peers, on the same text. @stroncium/procfs parses /proc/net/dev into the
// same 16 named counters per device (the same work, minus our checks: u64 bound, 16 counters,
// names); @adobe/cgroup-metrics has no memory.stat parser, only a read of one value by position
// (line 2, which is `rss` on v1 and `file` on v2), so against it we compare what a caller can get:
// its parse expression on the same text, and its exported read+parse of the host's memory.stat.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseFlatKeyed, parseNetDev } from '../lib/parse/index.js';
import { formatNetDev, type NetDevice } from '../lib/parse/netdev.js';
import { readText } from '../lib/io.js';
import { interleaveSync, makeRatio, size, type GroupResult } from './harness.js';

const require = createRequire(import.meta.url);

/** A 24-device /proc/net/dev as a container host shows it: veths with large counters. */
export function hostNetDev(): string {
  const devices: NetDevice[] = [];
  let seed = 12345;
  const rnd = (max: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((seed / 2 ** 31) * max);
  };
  for (let i = 0; i < 24; i++) {
    const name = i === 0 ? 'lo' : i === 1 ? 'eth0' : i === 2 ? 'docker0' : `veth${(0x1a2b3c + i * 7919).toString(16)}`;
    const big = i < 3 ? 2 ** 40 : 2 ** 32;
    devices.push({
      name,
      rx: { bytes: rnd(big), packets: rnd(2 ** 30), errs: rnd(10), drop: rnd(100), fifo: 0, frame: 0, compressed: 0, multicast: rnd(1000) },
      tx: { bytes: rnd(big), packets: rnd(2 ** 30), errs: 0, drop: rnd(10), fifo: 0, colls: 0, carrier: 0, compressed: 0 },
    });
  }
  // Flat, as text read from a file is: a concatenated string would charge its flattening to the first parser.
  return Buffer.from(formatNetDev(devices)).toString('latin1');
}

/** A v1 memory.stat (70 keys) as this kernel writes it; a pure v2 host's own file otherwise. */
function memoryStatText(): string {
  for (const p of ['/sys/fs/cgroup/memory/memory.stat', '/sys/fs/cgroup/memory.stat']) {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      /* next */
    }
  }
  throw new Error('no memory.stat on this host');
}

/** @adobe/cgroup-metrics' memory.stat parse (lib/utils.js readandFormatMetric), applied to a given text. */
const adobeMemoryStat = (data: string): number => parseInt(data.split('\n')[1]!.split(' ')[1]!, 10);

/** Every key of memory.stat as most code would write it, without checks. */
function plainMemoryStat(data: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of data.split('\n')) {
    if (!line) continue;
    const [k, v] = line.split(' ');
    out[k!] = parseInt(v!, 10);
  }
  return out;
}

export function parserGroup(): GroupResult {
  const res: GroupResult = { group: 'parsers vs the Node peers (same text)', ratios: [], figures: [], notes: [] };
  const procfsParsers = require('@stroncium/procfs/lib/parsers.js') as { processNetDev(src: string): unknown[] };
  const adobeUtils = require('@adobe/cgroup-metrics/lib/utils.js') as { readandFormatMetric(metric: string): number };
  const rounds = size(100, 8),
    batch = size(1000, 50);

  for (const [label, text] of [
    ["this host's /proc/net/dev", readFileSync('/proc/net/dev', 'utf8')],
    ['a 24-device host /proc/net/dev', hostNetDev()],
  ] as const) {
    const ours = parseNetDev(text),
      theirs = procfsParsers.processNetDev(text);
    if (ours.length !== theirs.length) throw new Error('netdev peers disagree on the device count');
    const [a, b] = interleaveSync([() => parseNetDev(text), () => procfsParsers.processNetDev(text)], rounds, batch);
    res.ratios.push(
      makeRatio(
        res.group,
        `parseNetDev vs @stroncium/procfs processNetDev: ${label} (${ours.length} devices)`,
        'parseNetDev',
        '@stroncium/procfs',
        a!,
        b!,
        'µs',
        '<= 0.667',
        'same work: 16 named counters per device (ours also checks every token); goal: >= 1.5x faster',
      ),
    );
  }

  const stat = memoryStatText();
  const keys = Object.keys(parseFlatKeyed(stat, 'memory.stat')).length;
  const [a, b, p] = interleaveSync(
    [() => parseFlatKeyed(stat, 'memory.stat'), () => adobeMemoryStat(stat), () => plainMemoryStat(stat)],
    rounds,
    batch,
  );
  res.ratios.push(
    makeRatio(
      res.group,
      `memory.stat parse (${keys} keys) vs @adobe/cgroup-metrics' parse expression`,
      'parseFlatKeyed (all keys, by name)',
      '@adobe/cgroup-metrics (line 2 by position)',
      a!,
      b!,
      'µs',
      '',
      'NOT the same work, so no goal: no peer parses memory.stat; this one splits the text into lines and reads one value by position (the wrong key on v2), we return every key by name, checked',
    ),
  );
  res.ratios.push(
    makeRatio(
      res.group,
      `memory.stat parse (${keys} keys) vs the same work written plainly (not a peer: split, parseInt, into an object)`,
      'parseFlatKeyed',
      'split + parseInt',
      a!,
      p!,
      'µs',
      '',
      'for scale only',
    ),
  );
  try {
    adobeUtils.readandFormatMetric('memory/memory.stat');
    const path = '/sys/fs/cgroup/memory/memory.stat';
    const [c, d] = interleaveSync(
      [() => parseFlatKeyed(readText(path), path), () => adobeUtils.readandFormatMetric('memory/memory.stat')],
      rounds,
      size(50, 5),
    );
    res.ratios.push(
      makeRatio(
        res.group,
        "read + parse the host's memory.stat vs @adobe/cgroup-metrics readandFormatMetric",
        'readText + parseFlatKeyed',
        '@adobe/cgroup-metrics',
        c!,
        d!,
        'µs',
        '',
        'the peer reads with readFileSync (fstat + read + close, a fresh Buffer) and gets one value; we read into a reused buffer and get all keys',
      ),
    );
  } catch {
    res.notes.push('@adobe/cgroup-metrics reads only cgroup v1 paths (/sys/fs/cgroup/memory/...): not comparable on this host');
  }
  return res;
}
