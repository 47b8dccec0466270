// Containers on a real hybrid host, from captures (test/fixtures/captures/hybrid-docker-podman-6.18,
// made by scripts/runtimes/capture.ts) and the runtimes' captured state files: every captured line
// parses; each container's cgroup resolves to its directories through the host's mountinfo; and
// listContainers over a /proc tree built from the captures names each container as its runtime does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateCgroups } from '../lib/cgroup/locate.js';
import { listContainers, findContainer, findPodContainer } from '../lib/containers.js';
import { NsError } from '../lib/errors.js';
import { parseContainerCgroup } from '../lib/parse/container-id.js';
import { parseMountinfo } from '../lib/parse/mountinfo.js';
import { parseProcCgroup } from '../lib/parse/proc-cgroup.js';
import { resolveTarget } from '../lib/targets.js';

const captures = fileURLToPath(new URL('./fixtures/captures/hybrid-docker-podman-6.18', import.meta.url));
const states = fileURLToPath(new URL('./fixtures/runtimes', import.meta.url));
const manifest = JSON.parse(readFileSync(join(states, 'manifest.json'), 'utf8')) as {
  docker: { id: string; name: string; image: string };
  podman: { id: string; name: string; image: string };
  containerd: { pod: { uid: string; name: string; namespace: string; qos: string }; sandbox: { id: string; image: string }; workload: { id: string; name: string; image: string } };
};
const runtimeRoots = {
  dockerRoot: join(states, 'docker'), podmanRoots: [join(states, 'podman')], containerdStateRoots: [join(states, 'containerd')],
  crioRoots: [join(states, 'crio')], kubeletLogRoot: join(states, 'kubelet'),
};
const read = (who: string, file: string): string => readFileSync(join(captures, who, file), 'utf8');
const WHO = ['host', 'docker', 'podman', 'containerd-sandbox', 'containerd-workload'];

test('every captured mountinfo and cgroup file parses (nsfs roots, overlay options, v1 + cgroup2 lines)', () => {
  assert.equal(readdirSync(captures).sort(), [...WHO].sort());
  for (const who of WHO) {
    const mounts = parseMountinfo(read(who, 'mountinfo'));
    assert.ok(mounts.length > 5, who);
    assert.ok(parseProcCgroup(read(who, 'cgroup')).length >= 10, who);
  }
  const host = parseMountinfo(read('host', 'mountinfo'));
  assert.ok(host.some((m) => m.fsType === 'nsfs' && /^net:\[\d+\]$/.test(m.root)), 'docker\'s netns bind mounts');
});

test('each container\'s cgroup: runtime, id and pod from the path; directories from the host\'s mountinfo', () => {
  const host = parseMountinfo(read('host', 'mountinfo'));
  const want: Record<string, [string, string]> = {
    docker: ['docker', manifest.docker.id], podman: ['podman', manifest.podman.id],
    'containerd-sandbox': ['unknown', manifest.containerd.sandbox.id], 'containerd-workload': ['unknown', manifest.containerd.workload.id],
  };
  for (const [who, [runtime, id]] of Object.entries(want)) {
    const entries = parseProcCgroup(read(who, 'cgroup'));
    const match = parseContainerCgroup(entries.find((e) => e.hierarchyId === 0)!.path);
    assert.is(match?.runtime, runtime, who);
    assert.is(match?.id, id, who);
    const loc = locateCgroups(entries, host);
    assert.is(loc.mode, 'hybrid');
    assert.is(loc.controllers['memory'], `/sys/fs/cgroup/memory${match!.cgroup}`, who);
  }
  assert.equal(parseContainerCgroup(parseProcCgroup(read('containerd-workload', 'cgroup'))[0]!.path)?.pod, { uid: manifest.containerd.pod.uid, qos: 'burstable' });
});

function procTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'nsjoin-captured-proc-'));
  WHO.forEach((who, i) => {
    mkdirSync(join(root, String(100 + i)));
    copyFileSync(join(captures, who, 'cgroup'), join(root, String(100 + i), 'cgroup'));
  });
  return root;
}

test('listContainers names each captured container as its runtime does; pod from the CRI annotations', () => {
  const procRoot = procTree();
  try {
    const all = listContainers({ procRoot, runtimeRoots });
    const by = (id: string) => all.find((c) => c.id === id);
    const m = manifest;
    assert.equal(by(m.docker.id), { id: m.docker.id, runtime: 'docker', pid: 101, pids: [101], cgroup: `/docker/${m.docker.id}`, name: m.docker.name, image: m.docker.image });
    assert.equal(by(m.podman.id), { id: m.podman.id, runtime: 'podman', pid: 102, pids: [102], cgroup: `/libpod_parent/libpod-${m.podman.id}`, name: m.podman.name, image: m.podman.image });
    const pod = { uid: m.containerd.pod.uid, qos: 'burstable', name: m.containerd.pod.name, namespace: m.containerd.pod.namespace };
    assert.equal(by(m.containerd.sandbox.id), { id: m.containerd.sandbox.id, runtime: 'containerd', pid: 103, pids: [103], cgroup: `/kubepods/burstable/pod${pod.uid}/${m.containerd.sandbox.id}`, image: m.containerd.sandbox.image, pod, sandbox: true });
    assert.equal(by(m.containerd.workload.id), { id: m.containerd.workload.id, runtime: 'containerd', pid: 104, pids: [104], cgroup: `/kubepods/burstable/pod${pod.uid}/${m.containerd.workload.id}`, name: 'app', image: m.containerd.workload.image, pod });
    assert.is(all.length, 4);
    // without state files: the same containers, unnamed, and the pod's runtime unknown
    const bare = listContainers({ procRoot, runtimeRoots: false });
    assert.equal(bare.map((c) => [c.runtime, c.name]).sort(), [['docker', undefined], ['podman', undefined], ['unknown', undefined], ['unknown', undefined]].sort());
  } finally {
    rmSync(procRoot, { recursive: true, force: true });
  }
});

test('targets by name, by pod, and ambiguity', () => {
  const procRoot = procTree();
  try {
    const o = { procRoot, runtimeRoots };
    assert.is(findContainer(manifest.docker.name, o).pid, 101);
    assert.is(findContainer(manifest.podman.name, o).pid, 102);
    assert.is(resolveTarget({ container: manifest.podman.name }, o), 102);
    assert.is(resolveTarget({ pod: 'shop-web' }, o), 104, 'the pod\'s one container, not its sandbox');
    assert.is(resolveTarget({ pod: 'shop-web', namespace: 'shop', container: 'app' }, o), 104);
    assert.is(findPodContainer({ pod: 'shop-web', namespace: 'shop' }, o).name, 'app');
    assert.is(resolveTarget({ container: 'app' }, o), 104);
    assert.throws(() => resolveTarget({ pod: 'shop-web', namespace: 'other' }, o), (e: unknown) => e instanceof NsError && e.code === 'ENSJOIN_NO_CONTAINER' && /no such pod/.test(e.message));
    assert.throws(() => resolveTarget({ pod: 'shop-web', container: 'db' }, o), (e: unknown) => e instanceof NsError && e.code === 'ENSJOIN_NO_CONTAINER' && /containers are app/.test(e.message));
    assert.throws(() => resolveTarget({ pod: 'shop-web', namespace: 'a/b' }, o), TypeError);
    assert.throws(() => resolveTarget({ pod: 'shop-web', extra: 1 }, o), TypeError);
    assert.throws(() => resolveTarget({ container: 'x y' }, o), TypeError);
  } finally {
    rmSync(procRoot, { recursive: true, force: true });
  }
});

test('listContainers checks its options\' types', () => {
  assert.throws(() => listContainers({ procRoot: 5 } as never), /options.procRoot must be a non-empty string/);
  assert.throws(() => listContainers('/proc' as never), /options must be an object/);
  assert.throws(() => listContainers({ runtimeRoots: { dockerRoot: 'x' } }), /runtimeRoots.dockerRoot must be an absolute path/);
  assert.throws(() => listContainers({ runtimeRoots: { nope: '/x' } } as never), /no option 'nope'/);
});

test.run();
