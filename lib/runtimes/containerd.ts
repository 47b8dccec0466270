// containerd's task bundles: <stateRoot>/io.containerd.runtime.v2.task/<namespace>/<id>/config.json,
// the OCI spec the shim started the container from, and init.pid, the pid the shim started. The CRI plugin (Kubernetes) puts the pod in its
// annotations (io.kubernetes.cri.*); a container started with ctr or nerdctl has none (nerdctl keeps
// its own name in nerdctl/name; ctr knows a container by its id, see lookup.ts). The bundle's rootfs is the
// container's mount: never read.
import { readdirSync } from 'node:fs';
import { annotationsOf, cleanText, podFields, readPidFile, readStateJson, type RuntimeMeta } from './state-file.js';

const TASKS = 'io.containerd.runtime.v2.task';
/** docker (20.10+) runs its containers in containerd's 'moby' namespace: they are docker's. */
const DOCKER_NAMESPACE = 'moby';

/** The containerd namespaces that have tasks under `stateRoot`. */
function namespaces(stateRoot: string): string[] {
  try {
    return readdirSync(`${stateRoot}/${TASKS}`).filter((n) => !n.startsWith('.'));
  } catch {
    return [];
  }
}

/** What the CRI plugin's annotations (or nerdctl's) say about the container. */
export function criMeta(annotations: Record<string, string>): RuntimeMeta {
  const a = (key: string): string | undefined => annotations[`io.kubernetes.cri.${key}`];
  const meta: RuntimeMeta = { runtime: 'containerd' };
  const type = a('container-type');
  const pod = podFields(a('sandbox-uid'), a('sandbox-name'), a('sandbox-namespace'));
  if (type !== undefined || pod) {
    if (pod) meta.pod = pod;
    if (type === 'sandbox') meta.sandbox = true;
    const name = cleanText(a('container-name'));
    if (name) meta.name = name;
  } else {
    const name = cleanText(annotations['nerdctl/name']);
    if (name) meta.name = name;
  }
  const image = cleanText(a('image-name'));
  if (image) meta.image = image;
  return meta;
}

/** containerd's bundle for container `id` under any of `stateRoots`, or undefined. */
export function readContainerdMeta(stateRoots: readonly string[], id: string): RuntimeMeta | undefined {
  for (const root of stateRoots) {
    for (const ns of namespaces(root)) {
      if (ns === DOCKER_NAMESPACE) continue;
      const bundle = `${root}/${TASKS}/${ns}/${id}`;
      const config = readStateJson(`${bundle}/config.json`);
      if (config !== undefined) return { ...criMeta(annotationsOf(config)), initPid: readPidFile(`${bundle}/init.pid`) };
    }
  }
  return undefined;
}
