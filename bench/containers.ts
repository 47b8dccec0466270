// listContainers() at exporter scale: a /proc tree and runtime state roots with 500 containers
// (docker, podman, and containerd pods with the CRI annotations), in a temporary directory. The
// baseline is the /proc scan alone (runtimeRoots: false); the subject the same scan naming every
// container, warm (names cached per id, what a scrape after the first costs) and cold (every state
// file read again).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listContainers } from '../lib/containers.js';
import { clearMetaCache } from '../lib/runtimes/lookup.js';
import { interleaveSync, makeRatio, size, type GroupResult } from './harness.js';

function build(n: number): { root: string; procRoot: string; runtimeRoots: object } {
  const root = mkdtempSync(join(tmpdir(), 'nsjoin-bench-containers-'));
  const procRoot = join(root, 'proc');
  const docker = join(root, 'docker');
  const podman = join(root, 'storage');
  const containerd = join(root, 'containerd');
  const podmanList: object[] = [];
  for (let i = 0; i < n; i++) {
    const pid = 1000 + i;
    const id = i.toString(16).padStart(8, '0').repeat(8);
    let cgroup: string;
    if (i % 5 < 2) {
      cgroup = `/docker/${id}`;
      mkdirSync(join(docker, 'containers', id), { recursive: true });
      writeFileSync(
        join(docker, 'containers', id, 'config.v2.json'),
        JSON.stringify({
          ID: id,
          Name: `/web-${i}`,
          State: { Pid: pid },
          Config: { Image: 'nginx:1.25', Env: Array(40).fill('X=1'), Labels: {} },
        }),
      );
    } else if (i % 5 === 2) {
      cgroup = `/libpod_parent/libpod-${id}`;
      podmanList.push({ id, names: [`db-${i}`], metadata: JSON.stringify({ 'image-name': 'docker.io/library/postgres:16' }) });
      mkdirSync(join(podman, 'overlay-containers', id, 'userdata'), { recursive: true });
      writeFileSync(join(podman, 'overlay-containers', id, 'userdata', 'pidfile'), `${pid}\n`);
    } else {
      const uid = `${id.slice(0, 8)}-0000-4000-8000-${id.slice(0, 12)}`;
      cgroup = `/kubepods/burstable/pod${uid}/${id}`;
      const bundle = join(containerd, 'io.containerd.runtime.v2.task', 'k8s.io', id);
      mkdirSync(bundle, { recursive: true });
      writeFileSync(join(bundle, 'init.pid'), String(pid));
      writeFileSync(
        join(bundle, 'config.json'),
        JSON.stringify({
          ociVersion: '1.0.2',
          annotations: {
            'io.kubernetes.cri.container-type': 'container',
            'io.kubernetes.cri.container-name': 'app',
            'io.kubernetes.cri.sandbox-name': `pod-${i}`,
            'io.kubernetes.cri.sandbox-namespace': 'default',
            'io.kubernetes.cri.sandbox-uid': uid,
            'io.kubernetes.cri.image-name': 'registry.example/app:1',
          },
        }),
      );
    }
    mkdirSync(join(procRoot, String(pid)), { recursive: true });
    writeFileSync(join(procRoot, String(pid), 'cgroup'), `0::${cgroup}\n`);
  }
  mkdirSync(join(podman, 'overlay-containers'), { recursive: true });
  writeFileSync(join(podman, 'overlay-containers', 'containers.json'), JSON.stringify(podmanList));
  return {
    root,
    procRoot,
    runtimeRoots: {
      dockerRoot: docker,
      podmanRoots: [podman],
      containerdStateRoots: [containerd],
      crioRoots: [join(root, 'none')],
      kubeletLogRoot: join(root, 'none'),
    },
  };
}

export function containersGroup(): GroupResult {
  const res: GroupResult = { group: 'listContainers at 500 containers', ratios: [], figures: [], notes: [] };
  const n = size(500, 50);
  const { root, procRoot, runtimeRoots } = build(n);
  try {
    const named = listContainers({ procRoot, runtimeRoots });
    if (named.length !== n || named.some((c) => c.name === undefined)) throw new Error('bench tree: not every container is named');
    const rounds = size(30, 4),
      batch = size(5, 1);
    const [warm, bare] = interleaveSync(
      [() => listContainers({ procRoot, runtimeRoots }), () => listContainers({ procRoot, runtimeRoots: false })],
      rounds,
      batch,
    );
    res.ratios.push(
      makeRatio(
        res.group,
        `${n} containers, names cached (every scrape after the first)`,
        'listContainers (named, warm)',
        'listContainers (runtimeRoots: false)',
        warm!,
        bare!,
        'µs',
        '<= 1.25',
        'goal: naming costs at most a quarter on top of the /proc scan once cached',
      ),
    );
    const [cold, bare2] = interleaveSync(
      [
        () => {
          clearMetaCache();
          return listContainers({ procRoot, runtimeRoots });
        },
        () => listContainers({ procRoot, runtimeRoots: false }),
      ],
      rounds,
      batch,
    );
    res.ratios.push(
      makeRatio(
        res.group,
        `${n} containers, every state file read (the first scrape)`,
        'listContainers (named, cold)',
        'listContainers (runtimeRoots: false)',
        cold!,
        bare2!,
        'µs',
        '',
        'for scale: the first scrape, or after a restart',
      ),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return res;
}
