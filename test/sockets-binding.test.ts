// The raw socketIn function of the addon takes any JavaScript value without aborting, and its
// failures come back through the callback as { step, errno }.
import { closeSync } from 'node:fs';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { binding } from '../lib/binding.js';

const anything = fc.anything({ withBigInt: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true });

test('socketIn never aborts on random arguments: TypeError or an errno in the callback', async () => {
  const pending: Array<Promise<void>> = [];
  const call = (spec: unknown, cb: unknown = undefined) => {
    let settle!: () => void;
    const done = new Promise<void>((r) => {
      settle = r;
    });
    const callback =
      cb ??
      ((err: unknown, fd: unknown) => {
        if (typeof fd === 'number') closeSync(fd);
        else assert.ok(err && typeof (err as { errno: unknown }).errno === 'number');
        settle();
      });
    try {
      (binding().socketIn as (a: unknown, b: unknown) => void)(spec, callback);
      if (cb === undefined) pending.push(done);
    } catch (err) {
      assert.instance(err, TypeError);
    }
  };
  fc.assert(
    fc.property(anything, anything, (a, b) => {
      call(a, b);
      call({ pid: a, setnsPidfd: true, family: 'inet', op: 'connect', address: Buffer.alloc(4), port: 1, timeoutMs: 0 });
      call({ pid: process.pid, setnsPidfd: true, family: a, op: b, timeoutMs: -1 });
      call({ pid: process.pid, setnsPidfd: true, family: 'inet6', op: 'bind', address: a, port: b, scopeId: 0, timeoutMs: -1 });
      call({ pid: process.pid, setnsPidfd: true, family: 'unix', op: 'connect', dir: a, name: b, timeoutMs: -1 });
    }),
    { numRuns: 200 },
  );
  await Promise.all(pending);
});

test('errors come back by step: a pid that is gone, a missing directory, a bad address size', async () => {
  const once = (spec: object) =>
    new Promise<{ err: { step: string; errno: number } | null; fd: number | null }>((res) => {
      binding().socketIn(spec as never, (err, fd) => res({ err, fd }));
    });
  const gone = await once({
    pid: 4194304,
    setnsPidfd: true,
    family: 'inet',
    op: 'connect',
    address: Buffer.from([127, 0, 0, 1]),
    port: 9,
    scopeId: 0,
    timeoutMs: 100,
  });
  assert.equal(gone.err, { step: 'pidfd_open', errno: 3 });
  const nodir = await once({
    pid: process.pid,
    setnsPidfd: true,
    family: 'unix',
    op: 'connect',
    dir: 'no/such/dir/here',
    name: 's',
    timeoutMs: -1,
  });
  assert.equal(nodir.err, { step: 'open', errno: 2 });
  assert.throws(
    () =>
      binding().socketIn(
        {
          pid: process.pid,
          setnsPidfd: true,
          family: 'inet',
          op: 'connect',
          address: Buffer.alloc(16),
          port: 9,
          scopeId: 0,
          timeoutMs: -1,
        },
        () => {},
      ),
    (e: unknown) => e instanceof TypeError,
  );
  assert.throws(
    () =>
      binding().socketIn(
        { pid: process.pid, setnsPidfd: true, family: 'unix', op: 'connect', dir: '.', name: 'a/b', timeoutMs: -1 },
        () => {},
      ),
    (e: unknown) => e instanceof TypeError,
  );
});

test.run();
