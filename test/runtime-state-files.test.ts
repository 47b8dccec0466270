// The runtimes' state files, read from captured and hand-written trees (test/fixtures/runtimes):
// docker, podman, containerd (CRI pod and docker's moby task), CRI-O, the kubelet's logs; and what a
// hostile or vanishing file does to the reader (nothing followed, nothing huge read, no crash).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readContainerdMeta } from '../lib/runtimes/containerd.js';
import { readCrioMeta } from '../lib/runtimes/crio.js';
import { readDockerMeta } from '../lib/runtimes/docker.js';
import { kubeletLogMeta, parseContainerLogName, parsePodLogDir, readKubeletLogs } from '../lib/runtimes/kubelet-logs.js';
import { readPodmanMeta } from '../lib/runtimes/podman.js';
import { runtimeRoots } from '../lib/runtimes/roots.js';
import { cleanText, readStateFile, STATE_FILE_MAX } from '../lib/runtimes/state-file.js';

const dir = fileURLToPath(new URL('./fixtures/runtimes', import.meta.url));
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
  docker: { id: string; pid: number; name: string; image: string };
  podman: { id: string; pid: number; name: string; image: string };
  containerd: {
    pod: { uid: string; name: string; namespace: string };
    sandbox: { id: string; pid: number; image: string };
    workload: { id: string; pid: number; name: string; image: string };
  };
};
const hex = (pair: string): string => pair.repeat(32);

test('docker: config.v2.json gives the name (without its /), the image and the pid as docker inspect says', () => {
  const m = manifest.docker;
  assert.equal(readDockerMeta(join(dir, 'docker'), m.id), { runtime: 'docker', initPid: m.pid, name: m.name, image: m.image });
  assert.is(readDockerMeta(join(dir, 'docker'), hex('ee')), undefined);
});

test("podman: containers.json gives the name and the image as podman inspect says; conmon's pidfile the pid", () => {
  const m = manifest.podman;
  assert.equal(readPodmanMeta([join(dir, 'podman'), '/nonexistent'], m.id), {
    runtime: 'podman',
    name: m.name,
    image: m.image,
    initPid: m.pid,
  });
  assert.is(readPodmanMeta([join(dir, 'podman')], hex('ee')), undefined);
});

test("containerd: the CRI annotations of a captured pod: sandbox and workload; docker's moby task is not containerd's", () => {
  const m = manifest.containerd;
  const roots = [join(dir, 'containerd')];
  assert.equal(readContainerdMeta(roots, m.workload.id), {
    runtime: 'containerd',
    pod: { uid: m.pod.uid, name: m.pod.name, namespace: m.pod.namespace },
    name: m.workload.name,
    image: m.workload.image,
    initPid: m.workload.pid,
  });
  assert.equal(readContainerdMeta(roots, m.sandbox.id), {
    runtime: 'containerd',
    pod: { uid: m.pod.uid, name: m.pod.name, namespace: m.pod.namespace },
    sandbox: true,
    image: m.sandbox.image,
    initPid: m.sandbox.pid,
  });
  assert.is(readContainerdMeta(roots, manifest.docker.id), undefined);
});

test("CRI-O: sandbox and container from the annotations; a podman bundle in the same layout is not CRI-O's", () => {
  const roots = [join(dir, 'crio')];
  const pod = { uid: '9d3e1f2a-4b5c-4d6e-8f70-81a2b3c4d5e6', name: 'api-7f9c', namespace: 'prod' };
  assert.equal(readCrioMeta(roots, hex('c1')), { runtime: 'cri-o', pod, sandbox: true, image: 'registry.k8s.io/pause:3.9', initPid: 4001 });
  assert.equal(readCrioMeta(roots, hex('c2')), { runtime: 'cri-o', pod, name: 'api', image: 'quay.io/acme/api:2.1', initPid: 4002 });
  assert.is(readCrioMeta(roots, hex('c3')), undefined);
});

test('kubelet logs: container and pod names from the layout; other names ignored', () => {
  const index = readKubeletLogs(join(dir, 'kubelet'));
  const uid = '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9';
  assert.equal([...index.containers.keys()], [hex('c4')]);
  assert.equal([...index.pods.keys()], [uid]);
  assert.equal(kubeletLogMeta(index, hex('c4'), uid), { name: 'worker', pod: { uid, name: 'report-28391', namespace: 'batch' } });
  // a sandbox has no log: the pod directory still names the pod
  assert.equal(kubeletLogMeta(index, hex('c5'), uid), { pod: { uid, name: 'report-28391', namespace: 'batch' } });
  assert.is(kubeletLogMeta(index, hex('c5'), undefined), undefined);
  assert.is(parseContainerLogName(`a_b_c-${hex('c4').slice(2)}.log`), undefined);
  assert.is(parseContainerLogName(`A_b_c-${hex('c4')}.log`), undefined);
  assert.is(parsePodLogDir('ns_pod_not-a-uid'), undefined);
  assert.equal(readKubeletLogs('/nonexistent'), { containers: new Map(), pods: new Map() });
});

test('hostile files: a symlink, a FIFO, an oversized or malformed file name nothing and never hang', () => {
  const root = mkdtempSync(join(tmpdir(), 'nsjoin-state-'));
  try {
    const id = hex('ab');
    const cdir = join(root, 'containers', id);
    mkdirSync(cdir, { recursive: true });
    // a symlink where the state file should be (pointing into a container's rootfs, say)
    writeFileSync(join(root, 'elsewhere.json'), JSON.stringify({ ID: id, Name: '/stolen', Config: { Image: 'x' } }));
    symlinkSync(join(root, 'elsewhere.json'), join(cdir, 'config.v2.json'));
    assert.is(readDockerMeta(root, id), undefined);
    rmSync(join(cdir, 'config.v2.json'));
    execFileSync('mkfifo', [join(cdir, 'config.v2.json')]);
    assert.is(readDockerMeta(root, id), undefined); // not opened for a blocking read
    rmSync(join(cdir, 'config.v2.json'));
    writeFileSync(join(cdir, 'config.v2.json'), '{"ID":');
    assert.is(readDockerMeta(root, id), undefined);
    writeFileSync(join(cdir, 'config.v2.json'), JSON.stringify({ ID: hex('cd'), Name: '/other' }));
    assert.is(readDockerMeta(root, id), undefined, 'a file for another id');
    writeFileSync(
      join(cdir, 'config.v2.json'),
      JSON.stringify({ ID: id, Name: '/x\u001b[2Jy\nz', Config: { Image: ['not', 'a', 'string'] } }),
    );
    // kept exact (the CLI escapes what it prints); a non-string image is dropped
    assert.equal(readDockerMeta(root, id), { runtime: 'docker', initPid: null, name: 'x\u001b[2Jy\nz' });
    writeFileSync(join(root, 'big'), Buffer.alloc(STATE_FILE_MAX + 1, 0x20));
    assert.is(readStateFile(join(root, 'big')), undefined);
    assert.is(readStateFile(join(root, 'big'), STATE_FILE_MAX + 1)?.length, STATE_FILE_MAX + 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('cleanText bounds length, keeps the value', () => {
  assert.is(cleanText('a'.repeat(5000))?.length, 1024);
  assert.is(cleanText(''), undefined);
  assert.is(cleanText(7), undefined);
  assert.is(cleanText('tab\there\u0085'), 'tab\there\u0085');
});

test('runtimeRoots: defaults, overrides, false, and typed errors', () => {
  const d = runtimeRoots(undefined);
  assert.ok(d !== false);
  assert.is(d.dockerRoot, '/var/lib/docker');
  assert.equal(d.containerdStateRoots, ['/run/containerd', '/run/k3s/containerd']);
  const o = runtimeRoots({ dockerRoot: '/srv/docker/', containerdStateRoots: ['/run/k3s/containerd'] });
  assert.ok(o !== false);
  assert.is(o.dockerRoot, '/srv/docker');
  assert.equal(o.containerdStateRoots, ['/run/k3s/containerd']);
  assert.is(runtimeRoots(false), false);
  assert.throws(
    () => runtimeRoots({ dockerRoot: 'relative' }),
    (e: unknown) => e instanceof TypeError,
  );
  assert.throws(
    () => runtimeRoots({ podmanRoots: '/var/lib/containers' }),
    (e: unknown) => e instanceof TypeError,
  );
  assert.throws(() => runtimeRoots({ dokerRoot: '/x' }), /no option 'dokerRoot'/);
  assert.throws(
    () => runtimeRoots('yes'),
    (e: unknown) => e instanceof TypeError,
  );
});

test.run();
