// Podman's container store (containers/storage): <root>/<driver>-containers/containers.json lists
// every container with its names and, in `metadata` (a JSON string), the image name as the user
// gave it. One file for all containers: it is parsed again only when it changes (inode, size,
// mtime), so a scrape of 500 podman containers costs one stat, not 500 reads. conmon writes each
// container's pid to <runroot>/<driver>-containers/<id>/userdata/pidfile.
import { readdirSync, statSync } from 'node:fs';
import { cleanText, field, readPidFile, readStateJson, STATE_FILE_MAX, type RuntimeMeta } from './state-file.js';

interface Parsed {
  stamp: string;
  byId: Map<string, RuntimeMeta>;
}
const parsed = new Map<string, Parsed>();

/** containers.json files under a storage root: one per graph driver (overlay, vfs, btrfs, ...). */
function storeFiles(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names.filter((n) => /^[a-z0-9]+-containers$/.test(n)).map((n) => `${root}/${n}/containers.json`);
}

function load(path: string): Map<string, RuntimeMeta> | undefined {
  let stamp: string;
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > STATE_FILE_MAX) return undefined;
    stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    parsed.delete(path);
    return undefined;
  }
  const cached = parsed.get(path);
  if (cached?.stamp === stamp) return cached.byId;
  const list = readStateJson(path);
  const byId = new Map<string, RuntimeMeta>();
  if (Array.isArray(list)) {
    for (const entry of list) {
      const id = field(entry, 'id');
      if (typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id)) continue;
      const names = field(entry, 'names');
      const meta: RuntimeMeta = {};
      const name = cleanText(Array.isArray(names) ? names[0] : undefined);
      if (name) meta.name = name;
      const rawMeta = field(entry, 'metadata');
      let inner: unknown;
      try {
        inner = typeof rawMeta === 'string' && rawMeta.length <= 1024 * 1024 ? JSON.parse(rawMeta) : undefined;
      } catch {
        inner = undefined;
      }
      const image = cleanText(field(inner, 'image-name'));
      if (image) meta.image = image;
      byId.set(id, meta);
    }
  }
  parsed.set(path, { stamp, byId });
  return byId;
}

/** conmon's pidfile, in the run root's userdata directory (podman 4) or the graph root's. */
function initPid(roots: readonly string[], id: string): number | null {
  for (const root of roots) {
    for (const file of storeFiles(root)) {
      const pid = readPidFile(`${file.slice(0, -'containers.json'.length)}${id}/userdata/pidfile`);
      if (pid !== null) return pid;
    }
  }
  return null;
}

/**
 * The podman name and image of container `id` from the stores under `roots`, or undefined. CRI-O
 * shares this store: the caller asks crio.ts first for containers whose cgroup says cri-o.
 */
export function readPodmanMeta(roots: readonly string[], id: string): RuntimeMeta | undefined {
  for (const root of roots) {
    for (const file of storeFiles(root)) {
      const meta = load(file)?.get(id);
      if (meta) return { runtime: 'podman', ...meta, initPid: initPid(roots, id) };
    }
  }
  return undefined;
}
