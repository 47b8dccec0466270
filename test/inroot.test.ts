// openat2 from TypeScript (lib/inroot.ts) and bounded reads (lib/io.ts) on a real filesystem: a
// tree of our own with the tricks a container plays (absolute and '..' symlinks, FIFOs, big files).
import { closeSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NsError } from '../lib/errors.js';
import { openat2, openDirInRoot, openFlags, readTextBeneath } from '../lib/inroot.js';
import { readText } from '../lib/io.js';

const dir = mkdtempSync(join(tmpdir(), 'nsjoin-inroot-'));
const root = join(dir, 'root');
test.after(() => rmSync(dir, { recursive: true, force: true }));

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.instance(err, NsError);
    return (err as NsError).code;
  }
  return 'no error';
}

test.before(() => {
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/name'), 'inside\n');
  writeFileSync(join(dir, 'name'), 'outside\n'); // the "host" file, one level above the root
  symlinkSync('/etc', join(root, 'abs')); // absolute: the root's /etc, not ours
  symlinkSync('../../../../..', join(root, 'up')); // '..' stops at the root
  symlinkSync('name', join(root, 'etc/link'));
  execFileSync('mkfifo', [join(root, 'etc/fifo')]);
  writeFileSync(join(root, 'etc/big'), Buffer.alloc(200_000, 'x'));
});

test('directories resolve inside the root: absolute and .. symlinks do not leave it', () => {
  const rootFd = openat2(-100, root, openFlags().O_PATH | openFlags().O_DIRECTORY, 0);
  try {
    for (const rel of ['abs', 'up/etc', 'up/up/abs', '/etc', '../../etc']) {
      const fd = openDirInRoot(rootFd, rel);
      try {
        assert.is(readTextBeneath(fd, 'name', rel), 'inside\n', rel);
      } finally {
        closeSync(fd);
      }
    }
  } finally {
    closeSync(rootFd);
  }
});

test('files beneath a directory fd: regular files only, no symlinks, no way up, bounded', () => {
  const etc = openat2(-100, join(root, 'etc'), openFlags().O_PATH | openFlags().O_DIRECTORY, 0);
  try {
    assert.is(
      code(() => readTextBeneath(etc, 'link', 'link')),
      'ELOOP',
      'a symlink',
    );
    assert.is(
      code(() => readTextBeneath(etc, '../../name', 'up')),
      'EXDEV',
      'a way up',
    );
    assert.is(
      code(() => readTextBeneath(etc, 'fifo', 'fifo')),
      'EINVAL',
      'a FIFO: opened without blocking, then refused',
    );
    assert.is(
      code(() => readTextBeneath(etc, 'big', 'big', undefined, 100_000)),
      'EFBIG',
    );
    assert.is(readTextBeneath(etc, 'big', 'big').length, 200_000);
  } finally {
    closeSync(etc);
  }
});

test('readText: past the limit EFBIG naming the size; the next reads are whole', () => {
  const big = join(root, 'etc/big');
  let err: unknown;
  try {
    readText(big, 7, 65_536);
  } catch (e) {
    err = e;
  }
  assert.instance(err, NsError);
  assert.is((err as NsError).code, 'EFBIG');
  assert.is((err as NsError).pid, 7);
  assert.match((err as Error).message, /exceeded 65536 bytes/);
  assert.is(readText(join(root, 'etc/name')), 'inside\n');
  assert.is(readText(big).length, 200_000, 'a file larger than the scratch buffer, whole');
  assert.is(readText(big, undefined, 200_000).length, 200_000, 'exactly at the limit');
  assert.is(readText('/proc/self/status').startsWith('Name:'), true);
});

test.run();
