// CRI-O's bundles: <root>/<driver>-containers/<id>/userdata/config.json (CRI-O writes the bundle in
// its run root, /run/containers/storage). Its annotations name the pod (io.kubernetes.pod.*), the
// container (io.kubernetes.container.name) and the image (io.kubernetes.cri-o.ImageName), and
// io.kubernetes.cri-o.ContainerType says sandbox or container; conmon writes the pid to pidfile. Podman writes bundles with the same
// layout (and a few io.kubernetes.cri-o.* keys) but marks them io.container.manager=libpod.
import { readdirSync } from 'node:fs';
import { annotationsOf, cleanText, podFields, readPidFile, readStateJson, type RuntimeMeta } from './state-file.js';

function drivers(root: string): string[] {
  try {
    return readdirSync(root).filter((n) => /^[a-z0-9]+-containers$/.test(n));
  } catch {
    return [];
  }
}

/** What CRI-O's annotations say about a container. */
export function crioMeta(annotations: Record<string, string>): RuntimeMeta {
  const meta: RuntimeMeta = { runtime: 'cri-o' };
  const pod = podFields(
    annotations['io.kubernetes.pod.uid'],
    annotations['io.kubernetes.pod.name'],
    annotations['io.kubernetes.pod.namespace'],
  );
  if (pod) meta.pod = pod;
  if (annotations['io.kubernetes.cri-o.ContainerType'] === 'sandbox') meta.sandbox = true;
  const name = cleanText(annotations['io.kubernetes.container.name']);
  if (name && name !== 'POD') meta.name = name;
  const image = cleanText(annotations['io.kubernetes.cri-o.ImageName']);
  if (image) meta.image = image;
  return meta;
}

/** CRI-O's bundle for container `id` under any of `roots`, or undefined (also for podman's bundles). */
export function readCrioMeta(roots: readonly string[], id: string): RuntimeMeta | undefined {
  for (const root of roots) {
    for (const driver of drivers(root)) {
      const bundle = `${root}/${driver}/${id}/userdata`;
      const config = readStateJson(`${bundle}/config.json`);
      if (config === undefined) continue;
      const annotations = annotationsOf(config);
      if (annotations['io.container.manager'] === 'libpod') return undefined;
      return { ...crioMeta(annotations), initPid: readPidFile(`${bundle}/pidfile`) };
    }
  }
  return undefined;
}
