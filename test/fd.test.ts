// lib/fd.ts: closeFd closes an fd the addon opened, reports a closed one as Node's closeSync does
// (EBADF), and refuses what is no fd number without closing anything.
import { fstatSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { binding } from '../lib/binding.js';
import { closeFd } from '../lib/fd.js';

test('closes an addon fd; a second close is EBADF', () => {
  const [r, w] = binding().pipe() as [number, number];
  closeFd(r);
  assert.throws(
    () => fstatSync(r),
    (e: NodeJS.ErrnoException) => e.code === 'EBADF',
  );
  assert.throws(
    () => closeFd(r),
    (e: NodeJS.ErrnoException) => e.code === 'EBADF' && e.syscall === 'close',
  );
  closeFd(w);
});

test('bad arguments are a TypeError, nothing is closed', () => {
  for (const bad of [undefined, -1, 1.5, 'x', 2 ** 31]) {
    assert.throws(
      () => binding().closeFd(bad as number),
      (e: Error & { code?: string }) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE',
    );
  }
  fstatSync(0);
});

test.run();
