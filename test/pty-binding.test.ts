// The raw pty functions of the addon take any JavaScript value without aborting: wrong types
// are TypeErrors with a code, bad numbers too, and valid calls give close-on-exec fds.
import { closeSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { binding } from '../lib/binding.js';
import { isNativeFailure } from '../lib/native-error.js';

const anything = fc.anything({ withBigInt: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true });

function rejectsCleanly(fn: () => unknown): void {
  try {
    const r = fn() as { master?: number; slave?: number } | undefined;
    if (r && typeof r.master === 'number') {
      closeSync(r.master);
      closeSync(r.slave!);
    }
  } catch (err) {
    assert.instance(err, TypeError);
    assert.ok(typeof (err as NodeJS.ErrnoException).code === 'string');
  }
}

test('openPty and resizePty never abort on random arguments', () => {
  const b = binding();
  fc.assert(
    fc.property(anything, (v) => {
      rejectsCleanly(() => (b.openPty as (x: unknown) => unknown)(v));
      rejectsCleanly(() => (b.openPty as (x: unknown) => unknown)({ pid: v, cols: 80, rows: 24 }));
      rejectsCleanly(() => (b.openPty as (x: unknown) => unknown)({ pid: 0, cols: v, rows: v }));
      rejectsCleanly(() => (b.resizePty as (...x: unknown[]) => unknown)(v, v, v));
    }),
    { numRuns: 300 },
  );
  for (const bad of [-1, 1.5, 2 ** 31, NaN, Infinity, '3']) {
    assert.throws(
      () => b.resizePty(bad as number, 80, 24),
      (e: unknown) => e instanceof TypeError,
    );
    assert.throws(
      () => b.openPty({ pid: 0, cols: bad as number, rows: 24 }),
      (e: unknown) => e instanceof TypeError,
    );
  }
});

test('a host pty pair: both ends close-on-exec, master non-blocking; resize of a non-tty is ENOTTY', () => {
  const r = binding().openPty({ pid: 0, cols: 80, rows: 24 });
  if (isNativeFailure(r)) throw new Error(`openPty failed: ${r.step} ${r.errno}`);
  const flags = (fd: number) => parseInt(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').match(/flags:\s*(\d+)/)![1]!, 8);
  assert.ok(flags(r.master) & 0o2000000);
  assert.ok(flags(r.master) & 0o4000);
  assert.ok(flags(r.slave) & 0o2000000);
  assert.is(r.source, 'host');
  assert.is(binding().resizePty(r.master, 100, 40), undefined);
  closeSync(r.master);
  closeSync(r.slave);
  const [rd, wr] = binding().pipe() as [number, number];
  assert.equal(binding().resizePty(rd, 80, 24), { step: 'ioctl', errno: 25 }, 'ENOTTY');
  closeSync(rd);
  closeSync(wr);
});

test.run();
