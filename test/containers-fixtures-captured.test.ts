// Containers on a real hybrid host, from captures (test/fixtures/captures/hybrid-docker-podman-6.18,
// made by scripts/runtimes/capture.ts) and the runtimes' captured state files: every captured line
// parses; each container's cgroup resolves to its directories through the host's mountinfo; and
// listContainers over a /proc tree built from the captures names each container as its runtime does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateCgroups } from '../lib/cgroup/locate.js';
import { findContainer, findPodContainer } from '../lib/container-find.js';
import { listContainers } from '../lib/containers.js';
import { NsError } from '../lib/errors.js';
import { parseContainerCgroup } from '../lib/parse/container-id.js';
import { parseMountinfo } from '../lib/parse/mountinfo.js';
import { parseProcCgroup } from '../lib/parse/proc-cgroup.js';
import { resolveTarget } from '../lib/targets.js';
import { parseTarget, UsageError } from '../lib/cli/common.js';

const captures = fileURLToPath(new URL('./fixtures/captures/hybrid-docker-podman-6.18', import.meta.url));
const states = fileURLToPath(new URL('./fixtures/runtimes', import.meta.url));
const manifest = JSON.parse(readFileSync(join(states, 'manifest.json'), 'utf8')) as {
  docker: { id: string; pid: number; name: string; image: string };
  podman: { id: string; pid: number; name: string; image: string };
  containerd: {
    pod: { uid: string; name: string; namespace: string; qos: string };
    sandbox: { id: string; pid: number; image: string };
    workload: { id: string; pid: number; name: string; image: string };
  };
};
const runtimeRoots = {
  dockerRoot: join(states, 'docker'),
  podmanRoots: [join(states, 'podman')],
  containerdStateRoots: [join(states, 'containerd')],
  crioRoots: [join(states, 'crio')],
  kubeletLogRoot: join(states, 'kubelet'),
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
  assert.ok(
    host.some((m) => m.fsType === 'nsfs' && /^net:\[\d+\]$/.test(m.root)),
    "docker's netns bind mounts",
  );
});

test("each container's cgroup: runtime, id and pod from the path; directories from the host's mountinfo", () => {
  const host = parseMountinfo(read('host', 'mountinfo'));
  const want: Record<string, [string, string]> = {
    docker: ['docker', manifest.docker.id],
    podman: ['podman', manifest.podman.id],
    'containerd-sandbox': ['unknown', manifest.containerd.sandbox.id],
    'containerd-workload': ['unknown', manifest.containerd.workload.id],
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
  assert.equal(parseContainerCgroup(parseProcCgroup(read('containerd-workload', 'cgroup'))[0]!.path)?.pod, {
    uid: manifest.containerd.pod.uid,
    qos: 'burstable',
  });
});

/** A /proc tree of the captured processes under the pids they had (the runtimes' pid files name them). */
const PIDS: Record<string, number> = {
  host: 1,
  docker: manifest.docker.pid,
  podman: manifest.podman.pid,
  'containerd-sandbox': manifest.containerd.sandbox.pid,
  'containerd-workload': manifest.containerd.workload.pid,
};
function procTree(who = WHO, extra: Record<number, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'nsjoin-captured-proc-'));
  for (const w of who) {
    mkdirSync(join(root, String(PIDS[w])));
    copyFileSync(join(captures, w, 'cgroup'), join(root, String(PIDS[w]), 'cgroup'));
  }
  for (const [pid, cgroup] of Object.entries(extra)) {
    mkdirSync(join(root, pid));
    writeFileSync(join(root, pid, 'cgroup'), cgroup);
  }
  return root;
}

test('listContainers names each captured container as its runtime does; pod from the CRI annotations', () => {
  const procRoot = procTree();
  try {
    const all = listContainers({ procRoot, runtimeRoots });
    const by = (id: string) => all.find((c) => c.id === id);
    const m = manifest;
    const d = m.docker.pid;
    const p = m.podman.pid;
    const sb = m.containerd.sandbox.pid;
    const wl = m.containerd.workload.pid;
    assert.equal(by(m.docker.id), {
      id: m.docker.id,
      runtime: 'docker',
      pid: d,
      pids: [d],
      cgroup: `/docker/${m.docker.id}`,
      name: m.docker.name,
      image: m.docker.image,
    });
    assert.equal(by(m.podman.id), {
      id: m.podman.id,
      runtime: 'podman',
      pid: p,
      pids: [p],
      cgroup: `/libpod_parent/libpod-${m.podman.id}`,
      name: m.podman.name,
      image: m.podman.image,
    });
    const pod = { uid: m.containerd.pod.uid, qos: 'burstable', name: m.containerd.pod.name, namespace: m.containerd.pod.namespace };
    assert.equal(by(m.containerd.sandbox.id), {
      id: m.containerd.sandbox.id,
      runtime: 'containerd',
      pid: sb,
      pids: [sb],
      cgroup: `/kubepods/burstable/pod${pod.uid}/${m.containerd.sandbox.id}`,
      image: m.containerd.sandbox.image,
      pod,
      sandbox: true,
    });
    assert.equal(by(m.containerd.workload.id), {
      id: m.containerd.workload.id,
      runtime: 'containerd',
      pid: wl,
      pids: [wl],
      cgroup: `/kubepods/burstable/pod${pod.uid}/${m.containerd.workload.id}`,
      name: 'app',
      image: m.containerd.workload.image,
      pod,
    });
    assert.is(all.length, 4);
    // without state files: the same containers, unnamed, and the pod's runtime unknown
    const bare = listContainers({ procRoot, runtimeRoots: false });
    assert.equal(
      bare.map((c) => [c.runtime, c.name]).sort(),
      [
        ['docker', undefined],
        ['podman', undefined],
        ['unknown', undefined],
        ['unknown', undefined],
      ].sort(),
    );
  } finally {
    rmSync(procRoot, { recursive: true, force: true });
  }
});

test('targets by name, by pod, and ambiguity', () => {
  const procRoot = procTree();
  try {
    const o = { procRoot, runtimeRoots };
    const wl = manifest.containerd.workload.pid;
    assert.is(findContainer(manifest.docker.name, o).pid, manifest.docker.pid);
    assert.is(findContainer(manifest.podman.name, o).pid, manifest.podman.pid);
    assert.is(resolveTarget({ container: manifest.podman.name }, o), manifest.podman.pid);
    assert.is(resolveTarget({ pod: 'shop-web' }, o), wl, "the pod's one container, not its sandbox");
    assert.is(resolveTarget({ pod: 'shop-web', namespace: 'shop', container: 'app' }, o), wl);
    assert.is(findPodContainer({ pod: 'shop-web', namespace: 'shop' }, o).name, 'app');
    assert.is(resolveTarget({ container: 'app' }, o), wl);
    assert.throws(
      () => resolveTarget({ pod: 'shop-web', namespace: 'other' }, o),
      (e: unknown) => e instanceof NsError && e.code === 'ENSJOIN_NO_CONTAINER' && /no such pod/.test(e.message),
    );
    assert.throws(
      () => resolveTarget({ pod: 'shop-web', container: 'db' }, o),
      (e: unknown) => e instanceof NsError && e.code === 'ENSJOIN_NO_CONTAINER' && /containers are app/.test(e.message),
    );
    assert.throws(
      () => resolveTarget({ pod: 'shop-web', namespace: 'a/b' }, o),
      (e: unknown) => e instanceof TypeError,
    );
    assert.throws(
      () => resolveTarget({ pod: 'shop-web', extra: 1 }, o),
      (e: unknown) => e instanceof TypeError,
    );
    assert.throws(
      () => resolveTarget({ container: 'x y' }, o),
      (e: unknown) => e instanceof TypeError,
    );
  } finally {
    rmSync(procRoot, { recursive: true, force: true });
  }
});

test("a hostile container's nested cgroup named like another container never takes its name or its place", () => {
  const m = manifest;
  // the docker container made cgroups below its own, named as the pod's workload and the podman container
  const nestedWl = `0::/docker/${m.docker.id}/kubepods/burstable/pod${m.containerd.pod.uid}/${m.containerd.workload.id}\n`;
  const nestedPodman = `0::/docker/${m.docker.id}/libpod_parent/libpod-${m.podman.id}\n`;
  let procRoot = procTree(WHO, { 7: nestedWl });
  try {
    const all = listContainers({ procRoot, runtimeRoots });
    const wl = all.find((c) => c.id === m.containerd.workload.id);
    assert.equal(wl?.pids, [m.containerd.workload.pid], 'the outer (real) cgroup wins; the nested one is left out');
    assert.is(wl?.name, 'app');
  } finally {
    rmSync(procRoot, { recursive: true, force: true });
  }
  // the podman container is not running: its state files are there, but its recorded pid is not
  procRoot = procTree(['host', 'docker'], { 7: nestedPodman });
  try {
    const o = { procRoot, runtimeRoots };
    const spoof = listContainers(o).find((c) => c.id === m.podman.id);
    assert.ok(spoof);
    assert.equal(spoof.pids, [7]);
    assert.is(spoof.name, undefined, "podman's name for it is not given to pid 7");
    assert.is(spoof.image, undefined);
    assert.throws(
      () => findContainer(m.podman.name, o),
      (e: unknown) => e instanceof NsError && e.code === 'ENSJOIN_NO_CONTAINER',
    );
  } finally {
    rmSync(procRoot, { recursive: true, force: true });
  }
});

test("the CLI's TARGET: pid, name or id prefix, NAMESPACE/POD[/CONTAINER]", () => {
  assert.is(parseTarget('4242', 'x'), 4242);
  assert.equal(parseTarget('web1', 'x'), { container: 'web1' });
  assert.equal(parseTarget('shop/web', 'x'), { namespace: 'shop', pod: 'web' });
  assert.equal(parseTarget('shop/web/app', 'x'), { namespace: 'shop', pod: 'web', container: 'app' });
  for (const bad of ['a/b/c/d', 'shop/', '/web', 'a//b', ''])
    assert.throws(
      () => parseTarget(bad, 'x'),
      (e: unknown) => e instanceof UsageError,
      bad,
    );
});

test("listContainers checks its options' types", () => {
  assert.throws(() => listContainers({ procRoot: 5 } as never), /options.procRoot must be a non-empty string/);
  assert.throws(() => listContainers('/proc' as never), /options must be an object/);
  assert.throws(() => listContainers({ runtimeRoots: { dockerRoot: 'x' } }), /runtimeRoots.dockerRoot must be an absolute path/);
  assert.throws(() => listContainers({ runtimeRoots: { nope: '/x' } } as never), /no option 'nope'/);
});

test.run();
