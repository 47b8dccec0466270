// listContainers on cgroup v2 (and hybrid) layouts from fake /proc trees: every runtime, pod uid and
// QoS class, the oldest process by start time, and processes that vanish or have odd files skipped.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { findContainer } from '../lib/container-find.js';
import { listContainers } from '../lib/containers.js';
import { NsError } from '../lib/errors.js';
import { resolveTarget } from '../lib/targets.js';

const procRoot = fileURLToPath(new URL('./fixtures/containers/scan/proc', import.meta.url));
const id = (pair: string): string => pair.repeat(32);
const UID = '0e7b2f6a-91c4-4d5e-8f3a-2b1c9d8e7f60';

test('v2 systemd layouts: each runtime, pod uid and QoS class', () => {
  const all = listContainers({ procRoot });
  const by = (x: string) => all.find((c) => c.id === x);
  assert.equal(by(id('1c')), {
    id: id('1c'),
    runtime: 'containerd',
    pid: 100,
    pids: [100],
    cgroup: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID.replace(/-/g, '_')}.slice/cri-containerd-${id('1c')}.scope`,
    pod: { uid: UID, qos: 'burstable' },
  });
  assert.equal(by(id('2d'))?.runtime, 'cri-o');
  assert.equal(by(id('2d'))?.pod, { uid: UID, qos: 'besteffort' });
  assert.equal(by(id('3e'))?.pod, { uid: UID, qos: 'guaranteed' });
  assert.equal(by(id('5a'))?.runtime, 'podman');
  assert.equal(by(id('5a'))?.pids, [105]); // conmon (109) is not in the container
  assert.equal(by('deb-test')?.runtime, 'systemd-nspawn');
  assert.equal(by('web1')?.pids, [107]); // lxc.monitor (108) is not in the container
  assert.equal(by(id('6b'))?.pod, { uid: UID, qos: 'burstable' });
  assert.equal(by(id('6b'))?.runtime, 'unknown');
});

test('the oldest process by start time is the pid, not the lowest pid', () => {
  const c = findContainer(id('4f').slice(0, 5), { procRoot });
  assert.is(c.runtime, 'docker');
  assert.equal(c.pids, [103, 104]);
  assert.is(c.pid, 104);
});

test('hybrid: docker paths in the v1 lines are found though the 0:: line is a service', () => {
  const c = findContainer(id('7c'), { procRoot });
  assert.is(c.runtime, 'docker');
  assert.is(c.pid, 120);
  assert.is(c.cgroup, `/docker/${id('7c')}`);
});

test('services, helpers, vanished and malformed entries are skipped; nothing else is listed', () => {
  const all = listContainers({ procRoot });
  assert.equal(
    all.map((c) => c.id).sort(),
    [id('1c'), `${'1c'.repeat(31)}ff`, id('2d'), id('3e'), id('4f'), id('5a'), id('6b'), id('7c'), 'deb-test', 'web1'].sort(),
  );
  assert.not.ok(all.some((c) => c.pids.some((p) => [108, 109, 110, 130, 131].includes(p))));
});

test('{ container } through a procRoot: prefix, ambiguity, unknown', () => {
  assert.is(resolveTarget({ container: '3e3e' }, { procRoot }), 102);
  assert.throws(
    () => resolveTarget({ container: 'nope' }, { procRoot }),
    (e: unknown) => e instanceof NsError && e.code === 'ENSJOIN_NO_CONTAINER',
  );
  // pid 140 is docker-1c1c...1cff: it shares 62 digits with the containerd container's id
  assert.throws(
    () => resolveTarget({ container: '1c1c1c' }, { procRoot }),
    (e: unknown) =>
      e instanceof NsError &&
      e.code === 'ENSJOIN_AMBIGUOUS_CONTAINER' &&
      e.message.includes('(containerd, pid 100)') &&
      e.message.includes('(docker, pid 140)'),
  );
  assert.is(resolveTarget({ container: id('1c') }, { procRoot }), 100, 'an exact id is never ambiguous');
  assert.throws(
    () => resolveTarget({ container: '' }, { procRoot }),
    (e: unknown) => e instanceof TypeError,
  );
});

test('a missing procRoot is an NsError, not a crash', () => {
  assert.throws(
    () => listContainers({ procRoot: '/nonexistent-proc' }),
    (e: unknown) => e instanceof NsError && e.code === 'ENOENT',
  );
});

test('{ container } works in a process that imports lib/targets alone (no registration by side effect)', () => {
  // A fresh Node process: nothing but targets.ts (and what it imports itself) is loaded.
  const script = `const { resolveTarget } = await import(${JSON.stringify(new URL('../lib/targets.ts', import.meta.url).href)});
console.log(resolveTarget({ container: '3e3e' }, { procRoot: ${JSON.stringify(procRoot)} }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is(r.stderr, '');
  assert.is(r.stdout, '102\n');
});

test.run();
