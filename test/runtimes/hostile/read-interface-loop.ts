// Child process of hostile-read.test.ts: calls readInterfaceStats(PID, NAME) COUNT times while a
// 10 ms timer measures how long the event loop was held at most, and prints one JSON line. Run
// apart from the test so that a call stuck in open() on a FIFO cannot hang the test itself.
import { readInterfaceStats } from '../../../lib/net/sysfs.js';

const [pid, name, count] = [Number(process.argv[2]), process.argv[3]!, Number(process.argv[4])];
let last = performance.now();
let maxGapMs = 0;
const timer = setInterval(() => {
  const now = performance.now();
  maxGapMs = Math.max(maxGapMs, now - last);
  last = now;
}, 10);
const sources: Record<string, number> = {};
const errors: Record<string, number> = {};
let hostData = 0;
for (let i = 0; i < count; i++) {
  try {
    const s = await readInterfaceStats(pid, name);
    sources[s.source] = (sources[s.source] ?? 0) + 1;
    if (s.source === 'target-sysfs' && (s.mtu === 4242 || 'host_marker' in s.statistics)) hostData++;
  } catch (err) {
    const code = (err as { code?: string }).code ?? String(err);
    errors[code] = (errors[code] ?? 0) + 1;
  }
  await new Promise((r) => setImmediate(r));
}
clearInterval(timer);
process.stdout.write(`${JSON.stringify({ sources, errors, hostData, maxGapMs: Math.round(maxGapMs) })}\n`);
