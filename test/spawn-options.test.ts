// lib/spawn/options.ts and lib/spawn/internal.ts without root, a target or the addon: the checked
// options are a frozen value, Node's option names map onto nsjoin's, the internal switches are
// not options (the public check refuses their names) and are checked apart.
import { isMainThread } from 'node:worker_threads';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkInternal, NO_INTERNAL } from '../lib/spawn/internal.js';
import { checkOptions, splitArguments, type CheckedUser } from '../lib/spawn/options.js';

test("checked options are frozen, nested values too; the caller's objects are not kept", () => {
  const env = { A: '1' };
  const groups = [5];
  const o = checkOptions('spawn', 'sh', ['-c', 'x'], {
    env,
    user: { uid: 1, gid: 2, groups },
    namespaces: ['net'],
    stdio: ['pipe', 'ignore', 2],
  });
  for (const v of [o, o.args, o.env, o.user, (o.user as CheckedUser).groups, o.namespaces, o.stdio]) assert.ok(Object.isFrozen(v));
  assert.throws(() => {
    (o as { file: string }).file = 'x';
  }, TypeError);
  env.A = '2';
  groups.push(6);
  assert.equal(o.env, { A: '1' });
  assert.equal((o.user as CheckedUser).groups, [5]);
  assert.equal(o.stdio, ['pipe', 'ignore', 2]);
});

test("Node's names: shell, uid/gid, detached, encoding defaults per call", () => {
  const sh = checkOptions('spawn', 'echo', ['a', 'b'], { shell: true });
  assert.equal([sh.file, sh.args, sh.argv0], ['/bin/sh', ['-c', 'echo a b'], '/bin/sh']);
  assert.equal(checkOptions('spawn', 'id', [], { uid: 7 }).user, { uid: 7, gid: -1, groups: [], groupsOptional: true });
  assert.is(checkOptions('spawn', 'x', [], { detached: true }).detached, true);
  assert.is(checkOptions('execFile', 'x', [], {}).encoding, 'utf8');
  assert.is(checkOptions('spawnSync', 'x', [], {}).encoding, undefined);
  assert.equal(splitArguments({ cwd: '/' }, undefined), { args: [], options: { cwd: '/' }, callback: undefined });
});

test('the internal switches are no public options', () => {
  for (const name of ['freshSysfs', 'ctty', 'dieWithParent', 'envSet']) {
    assert.throws(
      () => checkOptions('spawn', 'x', [], { [name]: undefined }),
      (e: Error & { code?: string }) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_VALUE' && e.message.includes(name),
    );
  }
});

test('checkInternal checks the internal switches apart from the options', () => {
  assert.is(checkInternal(undefined, 3), NO_INTERNAL);
  const i = checkInternal({ envSet: { TERM: 'xterm' }, ctty: 0 }, 3);
  assert.ok(Object.isFrozen(i) && Object.isFrozen(i.envSet));
  assert.equal(i, { freshSysfs: false, ctty: 0, dieWithParent: false, envSet: { TERM: 'xterm' } });
  assert.throws(() => checkInternal({ ctty: 3 }, 3), RangeError);
  assert.throws(() => checkInternal({ envSet: { 'A=B': 'x' } }, 3), /bad variable name/);
  assert.throws(() => checkInternal({ freshSysfs: 'yes' as unknown as boolean }, 3), TypeError);
  assert.ok(isMainThread);
  assert.is(checkInternal({ dieWithParent: true }, 3).dieWithParent, true);
});

test.run();
