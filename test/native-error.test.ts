// Every small call of the addon reports failure in one shape, { step, errno }, and one function
// turns it into an NsError with Node's code, the syscall and the shared hints.
import { spawnSync as nodeSpawnSync } from 'node:child_process';
import { closeSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { binding } from '../lib/binding.js';
import { E, errnoName } from '../lib/errno.js';
import { NsError } from '../lib/errors.js';
import { isNativeFailure, nativeError, unwrap } from '../lib/native-error.js';
import { openat2 } from '../lib/inroot.js';

// A pid that names no process: one that just exited and was reaped.
function deadPid(): number {
  return nodeSpawnSync('/bin/true').pid!;
}

test('pidfdOpen, openat2 and kill fail as { step, errno } with the real errno', () => {
  const b = binding();
  assert.equal(b.pidfdOpen(deadPid()), { step: 'pidfd_open', errno: E.ESRCH });
  assert.equal(b.openat2(-100, '/nonexistent/nsjoin', b.openat2Constants.O_RDONLY, 0), { step: 'openat2', errno: E.ENOENT });
  const pidfd = unwrap(b.pidfdOpen(process.pid));
  const self = new b.Child(pidfd);
  assert.is(self.kill(0), undefined, 'signal 0 to ourselves is delivered');
});

test('pipe gives two fds, not a failure', () => {
  const p = binding().pipe();
  if (isNativeFailure(p)) throw nativeError(p);
  for (const fd of p) closeSync(fd);
});

test('nativeError: Node-style code and errno, the syscall of the step, the shared hints', () => {
  const gone = nativeError({ step: 'pidfd_send_signal', errno: E.ESRCH }, { pid: 42 });
  assert.instance(gone, NsError);
  assert.is(gone.code, 'ESRCH');
  assert.is(gone.errno, -E.ESRCH);
  assert.is(gone.syscall, 'pidfd_open');
  assert.ok(gone.message.includes('the target process does not exist'), gone.message);
  const root = nativeError({ step: 'open_root', errno: E.EACCES }, { pid: 42 });
  assert.is(root.path, '/proc/42/root');
  assert.ok(root.message.includes('ptrace'), root.message);
  const own = nativeError({ step: 'open_root', errno: E.EACCES }, { pid: 42, path: '/run/x.sock', hint: 'ours' });
  assert.is(own.path, '/run/x.sock', "the caller's details win");
  assert.ok(own.message.endsWith('. ours'), own.message);
});

test('unwrap passes values through and throws the NsError of a failure', () => {
  assert.is(unwrap(7), 7);
  assert.is(unwrap(undefined), undefined);
  assert.throws(
    () => openat2(-100, '/nonexistent/nsjoin', 0, 0, 'the label'),
    (err: NsError) => err.code === 'ENOENT' && err.syscall === 'openat2' && err.path === 'the label',
  );
});

test('errno names come from os.constants.errno, both ways', () => {
  assert.is(errnoName(E.ENOENT), 'ENOENT');
  assert.is(errnoName(4095), 'E4095');
});

test.run();
