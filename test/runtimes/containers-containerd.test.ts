// A Kubernetes node without Kubernetes: pods laid out on the standalone containerd as the CRI plugin
// and the kubelet lay them out (cgroupfs driver: /kubepods/<qos>/pod<uid>/<id>, where the cgroup path
// names no runtime). One pod carries the CRI annotations, its workload sharing the sandbox's network
// namespace; another is named only by the kubelet's log directories, which this test creates under
// /var/log and removes again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { findPodContainer } from '../../lib/container-find.js';
import { listContainers } from '../../lib/containers.js';
import { NsError } from '../../lib/errors.js';
import { namespacesOf } from '../../lib/namespaces.js';
import { resolveTarget } from '../../lib/targets.js';
import { nsjoin } from '../helpers/cli.js';
import { criAnnotations, CTR_IMAGE, startCtr, withRuntime, type RealContainer } from '../helpers/runtimes.js';

const newId = (): string => randomBytes(32).toString('hex');
const podNs = `nsjoin-t-${process.pid}`;
const web = `web-${process.pid}`; // pod names unique to this run: other tests' pods come and go

const cri = (uid: string, pod: string, sandboxId: string, type: 'sandbox' | 'container', name?: string): string[] =>
  criAnnotations({ uid, pod, namespace: podNs, sandboxId, type, ...(name ? { name } : {}) });

withRuntime(
  'ctr',
  'containerd CRI pod: runtime from the bundle, pod, QoS, names, image, sandbox; workload in the sandbox netns',
  async () => {
    const uid = randomUUID();
    const sbId = newId();
    const wlId = newId();
    const made: RealContainer[] = [];
    try {
      const sb = startCtr({ name: sbId, flags: ['--cgroup', `/kubepods/burstable/pod${uid}/${sbId}`, ...cri(uid, web, sbId, 'sandbox')] });
      made.push(sb);
      const wl = startCtr({
        name: wlId,
        flags: [
          '--cgroup',
          `/kubepods/burstable/pod${uid}/${wlId}`,
          '--with-ns',
          `network:/proc/${sb.pid}/ns/net`,
          ...cri(uid, web, sbId, 'container', 'app'),
        ],
      });
      made.push(wl);
      const all = listContainers();
      const pod = { uid, qos: 'burstable', name: web, namespace: podNs };
      assert.equal(
        all.find((c) => c.id === sbId),
        {
          id: sbId,
          runtime: 'containerd',
          pid: sb.pid,
          pids: [sb.pid],
          cgroup: `/kubepods/burstable/pod${uid}/${sbId}`,
          image: CTR_IMAGE,
          pod,
          sandbox: true,
        },
      );
      assert.equal(
        all.find((c) => c.id === wlId),
        {
          id: wlId,
          runtime: 'containerd',
          pid: wl.pid,
          pids: [wl.pid],
          cgroup: `/kubepods/burstable/pod${uid}/${wlId}`,
          name: 'app',
          image: CTR_IMAGE,
          pod,
        },
      );
      assert.is(namespacesOf(wl.pid).net?.inode, namespacesOf(sb.pid).net?.inode, "the workload is in the sandbox's network namespace");
      assert.is.not(namespacesOf(wl.pid).pid?.inode, namespacesOf(sb.pid).pid?.inode);
      // targets: the pod (its one container), NAMESPACE/POD/CONTAINER, the container's name
      assert.is(resolveTarget({ pod: web, namespace: podNs }), wl.pid);
      assert.is(resolveTarget({ pod: web, namespace: podNs, container: 'app' }), wl.pid);
      assert.is(findPodContainer({ pod: web }).id, wlId);
      const r = await nsjoin(['free', '--json', `${podNs}/${web}/app`]);
      assert.is(r.status, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { container: unknown }).container, {
        id: wlId,
        runtime: 'containerd',
        name: 'app',
        pod: { name: web, namespace: podNs },
      });
      const ps = await nsjoin(['ps', '-i', '100']);
      assert.match(
        ps.stdout,
        new RegExp(
          `\\n${sbId.slice(0, 12)}\\s+\\(sandbox\\)\\s+${CTR_IMAGE}\\s+containerd\\s+${sb.pid}\\s+1\\s+${podNs}\\s+${web}\\s+burstable\\s`,
        ),
      );
      assert.match(
        ps.stdout,
        new RegExp(`\\n${wlId.slice(0, 12)}\\s+app\\s+${CTR_IMAGE}\\s+containerd\\s+${wl.pid}\\s+1\\s+${podNs}\\s+${web}\\s+burstable\\s`),
      );
      const bad = await nsjoin(['stats', `${podNs}/${web}/db`]);
      assert.is(bad.status, 1);
      assert.match(bad.stderr, /no container matches container 'db' of pod .*the pod's containers are app/);
    } finally {
      for (const c of made.reverse()) c.remove();
    }
    assert.not.ok(listContainers().some((c) => c.pod?.uid === uid));
  },
);

/** The kubelet's log layout for one container; returns a function that removes what it made. */
function kubeletLogs(namespace: string, pod: string, uid: string, container: string, id: string): () => void {
  const podDir = `/var/log/pods/${namespace}_${pod}_${uid}`;
  const link = `/var/log/containers/${pod}_${namespace}_${container}-${id}.log`;
  const madeContainersDir = !existsSync('/var/log/containers');
  const madePodsDir = !existsSync('/var/log/pods');
  mkdirSync(`${podDir}/${container}`, { recursive: true });
  writeFileSync(`${podDir}/${container}/0.log`, '');
  mkdirSync('/var/log/containers', { recursive: true });
  symlinkSync(`${podDir}/${container}/0.log`, link);
  return () => {
    rmSync(link, { force: true });
    rmSync(podDir, { recursive: true, force: true });
    for (const [dir, made] of [
      ['/var/log/containers', madeContainersDir],
      ['/var/log/pods', madePodsDir],
    ] as const) {
      if (made && existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
    }
  };
}

withRuntime('ctr', "containerd pod named only by the kubelet's logs: namespace, pod, container, QoS", async () => {
  const uid = randomUUID();
  const id = newId();
  const cleanup = kubeletLogs(podNs, 'batch-1', uid, 'worker', id);
  let c: RealContainer | undefined;
  try {
    c = startCtr({ name: id, flags: ['--cgroup', `/kubepods/besteffort/pod${uid}/${id}`] });
    const got = listContainers().find((x) => x.id === id);
    assert.ok(got);
    assert.is(got.runtime, 'containerd', 'from its bundle: the cgroup path names no runtime');
    assert.equal(got.pod, { uid, qos: 'besteffort', name: 'batch-1', namespace: podNs });
    assert.is(got.name, 'worker');
    assert.is(resolveTarget({ pod: 'batch-1', namespace: podNs }), c.pid);
    const r = await nsjoin(['stats', '--json', '-i', '100', `${podNs}/batch-1`]);
    assert.is(r.status, 0, r.stderr);
    assert.is((JSON.parse(r.stdout) as { pid: number }).pid, c.pid);
  } finally {
    c?.remove();
    cleanup();
  }
  assert.throws(
    () => resolveTarget({ pod: 'batch-1', namespace: podNs }),
    (e: unknown) => e instanceof NsError && e.code === 'ENSJOIN_NO_CONTAINER',
  );
});

withRuntime('ctr', "a pod author's container name with terminal escapes: exact in the library and --json, escaped by ps", async () => {
  const uid = randomUUID();
  const id = newId();
  const evil = 'app\u001b]0;pwn\u0007\u001b[2J';
  let c: RealContainer | undefined;
  try {
    c = startCtr({
      name: id,
      flags: ['--cgroup', `/kubepods/besteffort/pod${uid}/${id}`, ...cri(uid, `evil-${process.pid}`, id, 'container', evil)],
    });
    assert.is(listContainers().find((x) => x.id === id)?.name, evil);
    const ps = await nsjoin(['ps', '-i', '50']);
    assert.is(ps.status, 0, ps.stderr);
    assert.not.match(ps.stdout, /\u001b/);
    assert.match(ps.stdout, new RegExp(`\\n${id.slice(0, 12)}\\s+app\\\\x1b\\]0;pwn\\\\x07\\\\x1b\\[2J\\s`));
    const json = await nsjoin(['ps', '--json', '-i', '50']);
    assert.not.match(json.stdout, /\u001b/);
    assert.is((JSON.parse(json.stdout) as Array<{ id: string; name?: string }>).find((x) => x.id === id)?.name, evil);
  } finally {
    c?.remove();
  }
});

withRuntime('ctr', "containerd outside a pod: nerdctl's name annotation, else the id ctr knows it by", () => {
  // nerdctl's layout under the systemd driver (/system.slice/nerdctl-ID.scope), made with cgroupfs paths
  const named = newId();
  const bare = newId();
  const made: RealContainer[] = [];
  try {
    made.push(
      startCtr({ name: named, flags: ['--cgroup', `/system.slice/nerdctl-${named}.scope`, '--annotation', `nerdctl/name=${podNs}-n`] }),
    );
    made.push(startCtr({ name: bare, flags: ['--cgroup', `/system.slice/nerdctl-${bare}.scope`] }));
    const all = listContainers();
    assert.equal(
      all.find((c) => c.id === named),
      {
        id: named,
        runtime: 'containerd',
        pid: made[0]!.pid,
        pids: [made[0]!.pid],
        cgroup: `/system.slice/nerdctl-${named}.scope`,
        name: `${podNs}-n`,
      },
    );
    assert.is(all.find((c) => c.id === bare)?.name, bare);
    assert.is(resolveTarget({ container: `${podNs}-n` }), made[0]!.pid);
  } finally {
    for (const c of made.reverse()) c.remove();
  }
});

test.run();
