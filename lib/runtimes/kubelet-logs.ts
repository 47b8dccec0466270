// The kubelet's log layout, which names a pod's containers whatever the runtime:
//   <root>/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log
//   <root>/containers/<pod>_<namespace>_<container>-<id>.log   (a symlink into pods/; never followed)
// Kubernetes names (DNS labels and subdomains) hold no '_', so the fields split unambiguously. Only
// directory entries are read, never a log's content.
import { readdirSync } from 'node:fs';
import { cleanText, type RuntimeMeta } from './state-file.js';

const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/** The kubelet's log names at one moment: container id -> pod and container; pod uid -> pod. */
export interface KubeletLogIndex {
  containers: Map<string, { pod: string; namespace: string; container: string }>;
  pods: Map<string, { name: string; namespace: string }>;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Parses `<pod>_<namespace>_<container>-<id>.log`; undefined for anything else. */
export function parseContainerLogName(file: string): { pod: string; namespace: string; container: string; id: string } | undefined {
  const m = /^([^_]+)_([^_]+)_([^_]+)-([0-9a-f]{64})\.log$/.exec(file);
  if (!m || !NAME.test(m[1]!) || !NAME.test(m[2]!) || !NAME.test(m[3]!)) return undefined;
  return { pod: m[1]!, namespace: m[2]!, container: m[3]!, id: m[4]! };
}

/** Parses `<namespace>_<pod>_<uid>`; undefined for anything else. */
export function parsePodLogDir(dir: string): { namespace: string; name: string; uid: string } | undefined {
  const parts = dir.split('_');
  if (parts.length !== 3 || !NAME.test(parts[0]!) || !NAME.test(parts[1]!) || !UID.test(parts[2]!)) return undefined;
  return { namespace: parts[0]!, name: parts[1]!, uid: parts[2]! };
}

/** Reads the two log directories under `root` (default layout: /var/log). */
export function readKubeletLogs(root: string): KubeletLogIndex {
  const index: KubeletLogIndex = { containers: new Map(), pods: new Map() };
  for (const file of list(`${root}/containers`)) {
    const c = parseContainerLogName(file);
    if (c) index.containers.set(c.id, { pod: c.pod, namespace: c.namespace, container: c.container });
  }
  for (const dir of list(`${root}/pods`)) {
    const p = parsePodLogDir(dir);
    if (p) index.pods.set(p.uid, { name: p.name, namespace: p.namespace });
  }
  return index;
}

/** What the logs say about container `id` of pod `podUid` (either may be unknown there). */
export function kubeletLogMeta(index: KubeletLogIndex, id: string, podUid: string | undefined): RuntimeMeta | undefined {
  const c = index.containers.get(id);
  const p = podUid === undefined ? undefined : index.pods.get(podUid);
  if (!c && !p) return undefined;
  const meta: RuntimeMeta = {};
  const name = cleanText(c?.container);
  if (name) meta.name = name;
  meta.pod = {};
  if (podUid !== undefined) meta.pod.uid = podUid;
  const podName = cleanText(c?.pod ?? p?.name);
  const namespace = cleanText(c?.namespace ?? p?.namespace);
  if (podName) meta.pod.name = podName;
  if (namespace) meta.pod.namespace = namespace;
  return meta;
}
