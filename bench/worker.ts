// One bench group in a process of its own (run.ts starts it with the heap flags the group needs):
// a filled heap must not slow the other groups, and RSS figures need a fresh process.
// usage: node --expose-gc --import tsx bench/worker.ts GROUP 'JSON options'
import type { GroupResult } from './harness.js';

const [group, json = '{}'] = process.argv.slice(2);
const opts = JSON.parse(json) as Record<string, unknown>;

async function main(): Promise<GroupResult> {
  switch (group) {
    case 'exec':
      return (await import('./exec.js')).execGroup(opts as never);
    case 'memory':
      return (await import('./memory.js')).memoryGroup(opts as never);
    default:
      throw new Error(`unknown bench group ${group}`);
  }
}

main().then(
  (r) => {
    process.stdout.write(`@@RESULT ${JSON.stringify(r)}\n`);
    process.exit(0);
  },
  (e: unknown) => {
    process.stderr.write(`bench worker ${group}: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
