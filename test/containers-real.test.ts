// listContainers and the { container } target against real cgroups named as each runtime and layout
// names them (mkdir in this host's v1 hierarchies, below a test cgroup), with real processes inside.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findContainer } from '../lib/container-find.js';
import { listContainers, type Container } from '../lib/containers.js';
import { NsError } from '../lib/errors.js';
import { namespacesOf } from '../lib/namespaces.js';
import { resolveTarget } from '../lib/targets.js';
import { makeRuntimeCgroups, type RuntimeCgroups } from './helpers/runtime-cgroups.js';

const hex = (seed: string): string => seed.repeat(64).slice(0, 64);
const UID = '5a1c3e7f-2b4d-4e6f-8a9b-0c1d2e3f4a5b';
const UID_ = UID.replace(/-/g, '_');

// path below the test cgroup -> what listContainers must say about the process in it
const layouts: Array<{ path: string; runtime: Container['runtime']; id: string; pod?: Container['pod'] }> = [
  { path: `docker/${hex('d0')}`, runtime: 'docker', id: hex('d0') },
  { path: `system.slice/docker-${hex('d1')}.scope`, runtime: 'docker', id: hex('d1') },
  { path: `system.slice/cri-containerd-${hex('c0')}.scope`, runtime: 'containerd', id: hex('c0') },
  { path: `crio-${hex('e0')}`, runtime: 'cri-o', id: hex('e0') },
  { path: `machine.slice/libpod-${hex('f0')}.scope`, runtime: 'podman', id: hex('f0') },
  { path: `kubepods/burstable/pod${UID}/${hex('a1')}`, runtime: 'unknown', id: hex('a1'), pod: { uid: UID, qos: 'burstable' } },
  { path: `kubepods/besteffort/pod${UID}/${hex('a2')}`, runtime: 'unknown', id: hex('a2'), pod: { uid: UID, qos: 'besteffort' } },
  { path: `kubepods/pod${UID}/${hex('a3')}`, runtime: 'unknown', id: hex('a3'), pod: { uid: UID, qos: 'guaranteed' } },
  {
    path: `kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${hex('b1')}.scope`,
    runtime: 'containerd',
    id: hex('b1'),
    pod: { uid: UID, qos: 'burstable' },
  },
  {
    path: `kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-${hex('b2')}.scope`,
    runtime: 'cri-o',
    id: hex('b2'),
    pod: { uid: UID, qos: 'besteffort' },
  },
  {
    path: `kubepods.slice/kubepods-pod${UID_}.slice/cri-containerd-${hex('b3')}.scope`,
    runtime: 'containerd',
    id: hex('b3'),
    pod: { uid: UID, qos: 'guaranteed' },
  },
  { path: 'lxc/nsjoin-lxc1', runtime: 'lxc', id: 'nsjoin-lxc1' },
  { path: 'machine.slice/machine-nsjoin\\x2dnspawn.scope', runtime: 'systemd-nspawn', id: 'nsjoin-nspawn' },
];

let rt: RuntimeCgroups;
const pids = new Map<string, number>();

test.before(async () => {
  rt = makeRuntimeCgroups(
    'rt',
    layouts.map((l) => l.path),
  );
  for (const l of layouts) pids.set(l.path, await rt.start(l.path));
});
test.after(async () => {
  await rt.remove();
});

test('every runtime, layout, pod uid and QoS class is recognised, with the right pid', () => {
  const found = listContainers();
  for (const l of layouts) {
    const c = found.find((x) => x.id === l.id);
    assert.ok(c, `${l.path} not found`);
    assert.is(c.runtime, l.runtime, l.path);
    assert.equal(c.pod, l.pod, l.path);
    assert.is(c.pid, pids.get(l.path), l.path);
    assert.equal(c.pids, [pids.get(l.path)], l.path);
    assert.ok(c.cgroup.endsWith(`/${l.path}`), `${c.cgroup} ends with ${l.path}`);
  }
});

test('pid is the oldest process; pids lists every process; a sub-cgroup belongs to its container', async () => {
  const l = layouts[0]!;
  const second = await rt.start(l.path);
  const c = findContainer(l.id);
  assert.is(c.pid, pids.get(l.path));
  assert.equal(
    c.pids,
    [pids.get(l.path)!, second].sort((a, b) => a - b),
  );
});

test('{ container } resolves a unique prefix to the oldest pid, and works as a target for the other APIs', () => {
  assert.is(resolveTarget({ container: hex('c0').slice(0, 6) }), pids.get(layouts[2]!.path));
  assert.is(resolveTarget({ container: 'nsjoin-lxc1' }), pids.get('lxc/nsjoin-lxc1'));
  assert.equal(namespacesOf({ container: hex('e0').slice(0, 8) }), namespacesOf(pids.get(layouts[3]!.path)!));
});

test('an ambiguous prefix is ENSJOIN_AMBIGUOUS_CONTAINER listing the matches; an unknown one ENSJOIN_NO_CONTAINER', () => {
  try {
    resolveTarget({ container: 'a' }); // a1..., a2..., a3... and more
    assert.unreachable('should throw');
  } catch (err) {
    assert.instance(err, NsError);
    assert.is((err as NsError).code, 'ENSJOIN_AMBIGUOUS_CONTAINER');
    for (const id of [hex('a1'), hex('a2'), hex('a3')]) assert.ok((err as Error).message.includes(id.slice(0, 12)), (err as Error).message);
  }
  try {
    resolveTarget({ container: 'ffffeeee0000' });
    assert.unreachable('should throw');
  } catch (err) {
    assert.instance(err, NsError);
    assert.is((err as NsError).code, 'ENSJOIN_NO_CONTAINER');
  }
});

test('a container whose processes have all exited is no longer listed', async () => {
  const l = layouts[4]!;
  process.kill(pids.get(l.path)!, 'SIGKILL');
  for (let i = 0; i < 100 && listContainers().some((c) => c.id === l.id); i++) await new Promise((r) => setTimeout(r, 20));
  assert.not.ok(listContainers().some((c) => c.id === l.id));
});

test.run();
