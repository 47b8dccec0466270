// Captures what real containers look like on this host, for the parser fixtures and fuzzers:
//   test/fixtures/captures/<shape>/{host,docker,podman,containerd-sandbox,containerd-workload}/
//     mountinfo, cgroup        (/proc/self/... for host, /proc/PID/... for each container)
//   test/fixtures/runtimes/    the runtimes' own state files for those containers (with the pid
//                              files that tie a state to its running process), and
//     manifest.json            what the runtimes' clients said about them (the expected values)
// Starts a docker, a podman and a Kubernetes-style containerd pod (ctr; sandbox + workload sharing
// its network namespace), copies the files, removes the containers. Run after
// scripts/runtimes/start.sh: node --import tsx scripts/runtimes/capture.ts [SHAPE]
// Mount lines of the machine's own tooling (under /mnt/) are left out of the captures.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ctr, docker, podman, startCtr, startDocker, startPodman, CTR_IMAGE, IMAGE } from '../../test/helpers/runtimes.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const shape = process.argv[2] ?? 'hybrid-docker-podman-6.18';
const captures = join(repo, 'test/fixtures/captures', shape);
const states = join(repo, 'test/fixtures/runtimes');

function save(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}
const mountinfo = (path: string): string =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => !/^\S+ \S+ \S+ \S+ \/mnt\//.test(l))
    .join('\n');
const procFiles = (pid: number | 'self'): Record<string, string> => ({
  mountinfo: mountinfo(`/proc/${pid}/mountinfo`),
  cgroup: readFileSync(`/proc/${pid}/cgroup`, 'utf8'),
});
function copy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

const UID = '5a1c3f0e-7b2d-4c9e-8f10-2a3b4c5d6e7f';
const hex = (seed: string): string => seed.repeat(64).slice(0, 64);

const d = startDocker({ flags: ['--memory', '64m', '--cpus', '0.5'], name: 'capture-web1' });
const p = startPodman({ flags: ['--memory', '96m'], name: 'capture-db1' });
const sbId = hex('5b');
const wlId = hex('3c');
const cri = (type: string, extra: string[] = []): string[] => [
  '--annotation',
  `io.kubernetes.cri.container-type=${type}`,
  '--annotation',
  'io.kubernetes.cri.sandbox-name=shop-web',
  '--annotation',
  'io.kubernetes.cri.sandbox-namespace=shop',
  '--annotation',
  `io.kubernetes.cri.sandbox-uid=${UID}`,
  '--annotation',
  `io.kubernetes.cri.sandbox-id=${sbId}`,
  ...extra,
];
const sb = startCtr({
  name: sbId,
  flags: [
    '--cgroup',
    `/kubepods/burstable/pod${UID}/${sbId}`,
    ...cri('sandbox', ['--annotation', `io.kubernetes.cri.image-name=${CTR_IMAGE}`]),
  ],
});
const wl = startCtr({
  name: wlId,
  flags: [
    '--cgroup',
    `/kubepods/burstable/pod${UID}/${wlId}`,
    '--with-ns',
    `network:/proc/${sb.pid}/ns/net`,
    ...cri('container', [
      '--annotation',
      'io.kubernetes.cri.container-name=app',
      '--annotation',
      `io.kubernetes.cri.image-name=${CTR_IMAGE}`,
    ]),
  ],
});
try {
  save(join(captures, 'host'), procFiles('self'));
  save(join(captures, 'docker'), procFiles(d.pid));
  save(join(captures, 'podman'), procFiles(p.pid));
  save(join(captures, 'containerd-sandbox'), procFiles(sb.pid));
  save(join(captures, 'containerd-workload'), procFiles(wl.pid));

  copy(`/var/lib/docker/containers/${d.id}/config.v2.json`, join(states, `docker/containers/${d.id}/config.v2.json`));
  // docker's task in containerd's moby namespace: the containerd reader must leave it to docker
  copy(
    `/run/containerd/io.containerd.runtime.v2.task/moby/${d.id}/config.json`,
    join(states, `containerd/io.containerd.runtime.v2.task/moby/${d.id}/config.json`),
  );
  copy(
    `/run/containerd/io.containerd.runtime.v2.task/moby/${d.id}/init.pid`,
    join(states, `containerd/io.containerd.runtime.v2.task/moby/${d.id}/init.pid`),
  );
  for (const id of [sbId, wlId]) {
    for (const file of ['config.json', 'init.pid'])
      copy(
        `/run/containerd/io.containerd.runtime.v2.task/k8s.io/${id}/${file}`,
        join(states, `containerd/io.containerd.runtime.v2.task/k8s.io/${id}/${file}`),
      );
  }
  // podman's store lists every podman container of the host: keep ours only
  const store = JSON.parse(readFileSync('/var/lib/containers/storage/overlay-containers/containers.json', 'utf8')) as Array<{ id: string }>;
  save(join(states, 'podman/overlay-containers'), { 'containers.json': JSON.stringify(store.filter((c) => c.id === p.id)) });
  copy(
    `/var/lib/containers/storage/overlay-containers/${p.id}/userdata/config.json`,
    join(states, `podman/overlay-containers/${p.id}/userdata/config.json`),
  );
  // conmon's pidfile is in the run root (/run/containers/storage); one root holds both here
  copy(
    `/run/containers/storage/overlay-containers/${p.id}/userdata/pidfile`,
    join(states, `podman/overlay-containers/${p.id}/userdata/pidfile`),
  );

  const manifest = {
    shape,
    docker: {
      id: d.id,
      pid: d.pid,
      name: docker('inspect', '-f', '{{.Name}}', d.id).replace(/^\//, ''),
      image: docker('inspect', '-f', '{{.Config.Image}}', d.id),
    },
    podman: {
      id: p.id,
      pid: p.pid,
      name: podman('inspect', '-f', '{{.Name}}', p.id),
      image: podman('inspect', '-f', '{{.ImageName}}', p.id),
    },
    containerd: {
      pod: { uid: UID, name: 'shop-web', namespace: 'shop', qos: 'burstable' },
      sandbox: { id: sbId, pid: sb.pid, image: ctr('containers', 'info', sbId).match(/"Image": "([^"]+)"/)?.[1] },
      workload: { id: wlId, pid: wl.pid, name: 'app', image: ctr('containers', 'info', wlId).match(/"Image": "([^"]+)"/)?.[1] },
    },
    images: { docker: IMAGE, ctr: CTR_IMAGE },
  };
  save(states, { 'manifest.json': `${JSON.stringify(manifest, null, 2)}\n` });
  console.log(`captured into ${captures} and ${states}`);
} finally {
  for (const c of [wl, sb, p, d]) c.remove();
}
