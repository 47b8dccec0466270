// parseContainerCgroup on the cgroup paths each runtime and layout writes, and on paths that are not
// containers (runtime helpers, pod slices, services).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseContainerCgroup } from '../lib/parse/container-id.js';

const ID = '3f2a9c0d5e7b41f8a6c2d9e0b1a4c7d3e5f60718293a4b5c6d7e8f9012345678';
const UID = '0e7b2f6a-91c4-4d5e-8f3a-2b1c9d8e7f60';
const UID_ = UID.replace(/-/g, '_');

const cases: Array<[string, string, ReturnType<typeof parseContainerCgroup>]> = [
  ['docker cgroupfs', `/docker/${ID}`, { runtime: 'docker', id: ID, cgroup: `/docker/${ID}` }],
  ['docker systemd', `/system.slice/docker-${ID}.scope`, { runtime: 'docker', id: ID, cgroup: `/system.slice/docker-${ID}.scope` }],
  ['docker with a sub-cgroup (systemd inside)', `/docker/${ID}/init.scope`, { runtime: 'docker', id: ID, cgroup: `/docker/${ID}` }],
  [
    'containerd systemd',
    `/system.slice/cri-containerd-${ID}.scope`,
    { runtime: 'containerd', id: ID, cgroup: `/system.slice/cri-containerd-${ID}.scope` },
  ],
  ['nerdctl', `/system.slice/nerdctl-${ID}.scope`, { runtime: 'containerd', id: ID, cgroup: `/system.slice/nerdctl-${ID}.scope` }],
  ['cri-o cgroupfs', `/crio-${ID}`, { runtime: 'cri-o', id: ID, cgroup: `/crio-${ID}` }],
  ['podman cgroupfs', `/libpod_parent/libpod-${ID}`, { runtime: 'podman', id: ID, cgroup: `/libpod_parent/libpod-${ID}` }],
  [
    'podman systemd, container sub-cgroup',
    `/machine.slice/libpod-${ID}.scope/container`,
    { runtime: 'podman', id: ID, cgroup: `/machine.slice/libpod-${ID}.scope` },
  ],
  ['lxc', '/lxc/web1', { runtime: 'lxc', id: 'web1', cgroup: '/lxc/web1' }],
  ['lxc 4 payload', '/lxc.payload.web1/init.scope', { runtime: 'lxc', id: 'web1', cgroup: '/lxc.payload.web1' }],
  [
    'systemd-nspawn, escaped name',
    '/machine.slice/machine-deb\\x2dtest.scope/payload',
    { runtime: 'systemd-nspawn', id: 'deb-test', cgroup: '/machine.slice/machine-deb\\x2dtest.scope' },
  ],
  [
    'kubepods cgroupfs burstable',
    `/kubepods/burstable/pod${UID}/${ID}`,
    { runtime: 'unknown', id: ID, cgroup: `/kubepods/burstable/pod${UID}/${ID}`, pod: { uid: UID, qos: 'burstable' } },
  ],
  [
    'kubepods cgroupfs besteffort',
    `/kubepods/besteffort/pod${UID}/${ID}`,
    { runtime: 'unknown', id: ID, cgroup: `/kubepods/besteffort/pod${UID}/${ID}`, pod: { uid: UID, qos: 'besteffort' } },
  ],
  [
    'kubepods cgroupfs guaranteed',
    `/kubepods/pod${UID}/${ID}`,
    { runtime: 'unknown', id: ID, cgroup: `/kubepods/pod${UID}/${ID}`, pod: { uid: UID, qos: 'guaranteed' } },
  ],
  [
    'kubepods cgroupfs cri-o',
    `/kubepods/burstable/pod${UID}/crio-${ID}`,
    { runtime: 'cri-o', id: ID, cgroup: `/kubepods/burstable/pod${UID}/crio-${ID}`, pod: { uid: UID, qos: 'burstable' } },
  ],
  [
    'kubepods systemd burstable containerd',
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${ID}.scope`,
    {
      runtime: 'containerd',
      id: ID,
      cgroup: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${ID}.scope`,
      pod: { uid: UID, qos: 'burstable' },
    },
  ],
  [
    'kubepods systemd besteffort cri-o',
    `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-${ID}.scope`,
    {
      runtime: 'cri-o',
      id: ID,
      cgroup: `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-${ID}.scope`,
      pod: { uid: UID, qos: 'besteffort' },
    },
  ],
  [
    'kubepods systemd guaranteed docker',
    `/kubepods.slice/kubepods-pod${UID_}.slice/docker-${ID}.scope`,
    {
      runtime: 'docker',
      id: ID,
      cgroup: `/kubepods.slice/kubepods-pod${UID_}.slice/docker-${ID}.scope`,
      pod: { uid: UID, qos: 'guaranteed' },
    },
  ],
  ['seen from another cgroup namespace', `/../../docker/${ID}`, { runtime: 'docker', id: ID, cgroup: `/../../docker/${ID}` }],
  [
    'docker in docker: the inner one',
    `/docker/${ID}/docker/${ID.replace('3f2a', 'aaaa')}`,
    { runtime: 'docker', id: ID.replace('3f2a', 'aaaa'), cgroup: `/docker/${ID}/docker/${ID.replace('3f2a', 'aaaa')}` },
  ],
];

for (const [name, path, want] of cases) {
  test(`recognises ${name}`, () => {
    assert.equal(parseContainerCgroup(path), want);
  });
}

test('paths that are not containers give undefined', () => {
  for (const path of [
    '/',
    '/user.slice/user-0.slice/session-1.scope',
    '/system.slice/docker.service',
    '/system.slice/containerd.service',
    `/machine.slice/libpod-conmon-${ID}.scope`,
    `/system.slice/crio-conmon-${ID}.scope`,
    '/lxc.monitor.web1',
    `/kubepods/burstable/pod${UID}`,
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice`,
    `/docker/${ID.slice(0, 20)}`,
    '/docker',
    `/other/${ID}`,
    `/system.slice/docker-${ID.toUpperCase()}.scope`,
    // libvirt's guests: virtual machines, with QEMU's threads in libvirt/ sub-cgroups
    '/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope',
    '/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope/libvirt/vcpu0',
  ]) {
    assert.is(parseContainerCgroup(path), undefined, path);
  }
});

test('a ":" in a path does not confuse it (paths come whole from parseProcCgroup)', () => {
  assert.equal(parseContainerCgroup(`/weird:name/docker/${ID}`)?.id, ID);
});

test.run();
