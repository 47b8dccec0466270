// Names, images and pods for the containers a /proc scan found, from the runtimes' state files.
// listContainers() runs per scrape (an exporter, 500 containers): what a container's state files
// say never changes while its id lives, so it is cached per id and dropped when the id is no longer
// seen. What was not found (the kubelet adds a log symlink just after the start) is asked again at
// most every RETRY_MS.
import type { ContainerRuntime } from '../parse/container-id.js';
import { readContainerdMeta } from './containerd.js';
import { readCrioMeta } from './crio.js';
import { readDockerMeta } from './docker.js';
import { kubeletLogMeta, readKubeletLogs, type KubeletLogIndex } from './kubelet-logs.js';
import { readPodmanMeta } from './podman.js';
import type { RuntimeRoots } from './roots.js';
import { cleanText, type RuntimeMeta } from './state-file.js';

/** How long an incomplete answer is kept before the files are read again. */
export const RETRY_MS = 2000;

/** A container as the /proc scan saw it. */
export interface ScannedContainer {
  id: string;
  runtime: ContainerRuntime;
  /** Its host pids: the runtime's recorded init pid must be one of them. */
  pids: readonly number[];
  podUid?: string;
}

interface Entry {
  meta: RuntimeMeta;
  complete: boolean;
  at: number;
}
const caches = new Map<string, Map<string, Entry>>();
const CACHES_MAX = 16;

function fromRuntime(c: ScannedContainer, roots: RuntimeRoots): RuntimeMeta | undefined {
  const hex = /^[0-9a-f]{32,64}$/.test(c.id);
  switch (c.runtime) {
    case 'docker':
      return hex ? readDockerMeta(roots.dockerRoot, c.id) : undefined;
    case 'podman':
      return hex ? readPodmanMeta(roots.podmanRoots, c.id) : undefined;
    case 'containerd':
      return hex ? readContainerdMeta(roots.containerdStateRoots, c.id) : undefined;
    case 'cri-o':
      return hex ? readCrioMeta(roots.crioRoots, c.id) : undefined;
    case 'unknown':
      // A bare id under a pod's cgroup (cgroupfs driver): the bundle says whose it is.
      return hex
        ? (readContainerdMeta(roots.containerdStateRoots, c.id) ??
            readCrioMeta(roots.crioRoots, c.id) ??
            readDockerMeta(roots.dockerRoot, c.id))
        : undefined;
    default: {
      const name = cleanText(c.id); // lxc and systemd-nspawn containers are known by their names
      return name === undefined ? undefined : { name };
    }
  }
}

/** `base` with what `extra` adds: a name where base has none, pod fields where base has none. */
function merge(base: RuntimeMeta, extra: RuntimeMeta | undefined): RuntimeMeta {
  const out: RuntimeMeta = { ...base };
  if (!extra) return out;
  if (out.name === undefined && extra.name !== undefined) out.name = extra.name;
  if (extra.pod) out.pod = { ...extra.pod, ...out.pod };
  return out;
}

/** The runtime's init pid (where it records one) is among the scanned pids. */
function confirmed(meta: RuntimeMeta, c: ScannedContainer): boolean {
  return meta.initPid === undefined || (meta.initPid !== null && c.pids.includes(meta.initPid));
}

function isComplete(meta: RuntimeMeta, c: ScannedContainer): boolean {
  if (!confirmed(meta, c)) return false;
  if (meta.runtime === undefined && c.runtime === 'unknown') return false;
  if (c.podUid !== undefined && (meta.pod?.name === undefined || meta.pod.namespace === undefined)) return false;
  return meta.name !== undefined || meta.sandbox === true;
}

/**
 * What the state files under `roots` say about each scanned container, keyed `runtime/id` as
 * scanned; nothing for a container whose pids do not include the init pid its runtime recorded
 * (see RuntimeMeta.initPid). Containers whose files are gone, unreadable or malformed get what
 * could be read, possibly nothing. `scope` separates the caches of different /proc trees.
 */
export function lookupMeta(
  scanned: readonly ScannedContainer[],
  roots: RuntimeRoots,
  scope = '',
  now = Date.now(),
): Map<string, RuntimeMeta> {
  // One cache per procRoot and roots: scans of different trees must not evict each other's ids.
  const cacheKey = JSON.stringify([scope, roots]);
  let cache = caches.get(cacheKey);
  if (!cache) {
    if (caches.size >= CACHES_MAX) caches.delete(caches.keys().next().value!);
    caches.set(cacheKey, (cache = new Map<string, Entry>()));
  }
  let logs: KubeletLogIndex | undefined;
  const out = new Map<string, RuntimeMeta>();
  const seen = new Set<string>();
  for (const c of scanned) {
    const key = `${c.runtime}/${c.id}`;
    seen.add(key);
    const hit = cache.get(key);
    // a restarted container keeps its id with a new init pid: a complete entry that no longer
    // matches is read again
    if (hit && ((hit.complete && confirmed(hit.meta, c)) || (!hit.complete && now - hit.at < RETRY_MS))) {
      if (confirmed(hit.meta, c)) out.set(key, hit.meta);
      continue;
    }
    let meta: RuntimeMeta = { ...fromRuntime(c, roots) };
    if (c.podUid !== undefined && !isComplete(meta, c)) {
      logs ??= readKubeletLogs(roots.kubeletLogRoot);
      meta = merge(meta, kubeletLogMeta(logs, c.id, c.podUid));
    }
    // ctr knows a container by its id; in a pod, the kubelet's name comes first.
    if (meta.runtime === 'containerd' && meta.name === undefined && c.podUid === undefined && !meta.sandbox) meta.name = c.id;
    cache.set(key, { meta, complete: isComplete(meta, c), at: now });
    if (confirmed(meta, c)) out.set(key, meta);
  }
  for (const key of cache.keys()) if (!seen.has(key)) cache.delete(key);
  return out;
}

/** Forgets every cached answer (benchmarks measure the cold path with it). */
export function clearMetaCache(): void {
  caches.clear();
}
