// Docker's own record of a container: <dockerRoot>/containers/<id>/config.v2.json, written by
// dockerd (root-only, 0600). Name is stored with a leading '/'; Config.Image is the image as the
// user named it (Image is only its sha256); State.Pid its init's host pid (0 when stopped). Under dockershim (Kubernetes before 1.24) the
// io.kubernetes.* labels name the pod, and io.kubernetes.docker.type says sandbox or container.
import { cleanText, field, podFields, readStateJson, type RuntimeMeta } from './state-file.js';

/** The docker state of container `id` (64 hex digits) under `dockerRoot`, or undefined. */
export function readDockerMeta(dockerRoot: string, id: string): RuntimeMeta | undefined {
  const config = readStateJson(`${dockerRoot}/containers/${id}/config.v2.json`);
  if (config === undefined || field(config, 'ID') !== id) return undefined;
  const pid = field(field(config, 'State'), 'Pid');
  const meta: RuntimeMeta = { runtime: 'docker', initPid: typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : null };
  const rawName = field(config, 'Name');
  const name = cleanText(typeof rawName === 'string' ? rawName.replace(/^\//, '') : undefined);
  const image = cleanText(field(field(config, 'Config'), 'Image'));
  const labels = field(field(config, 'Config'), 'Labels');
  const label = (key: string): unknown => field(labels, key);
  const pod = podFields(label('io.kubernetes.pod.uid'), label('io.kubernetes.pod.name'), label('io.kubernetes.pod.namespace'));
  if (pod) {
    meta.pod = pod;
    if (label('io.kubernetes.docker.type') === 'podsandbox') meta.sandbox = true;
    const k8sName = cleanText(label('io.kubernetes.container.name'));
    if (k8sName && k8sName !== 'POD') meta.name = k8sName;
  } else if (name) {
    meta.name = name;
  }
  if (image) meta.image = image;
  return meta;
}
