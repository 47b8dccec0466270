// Where on the host a container's mount comes from. A mountinfo line names the filesystem
// (major:minor) and the directory of it that forms the mount (root); the host's own mountinfo says
// where that filesystem, or a part of it, is mounted on the host. The host mount of the same device
// whose root is the longest prefix of ours gives the host path.
import type { MountInfo } from '../../parse/mountinfo.js';

function within(path: string, dir: string): boolean {
  return dir === '/' || path === dir || path.startsWith(`${dir}/`);
}

/** `path` with the directory `dir` replaced by `by` ('/a/b/c', '/a', '/x' -> '/x/b/c'). */
export function rebase(path: string, dir: string, by: string): string {
  const rest = dir === '/' ? path.slice(1) : path.slice(dir.length + 1);
  if (rest === '') return by;
  return by === '/' ? `/${rest}` : `${by}/${rest}`;
}

/**
 * The host path a container mount shows, or undefined when the host does not have its filesystem
 * mounted (the container's own tmpfs, proc and overlay are not in the host's table... or are, under
 * the runtime's directories).
 */
export function hostPathOf(mount: MountInfo, hostMounts: MountInfo[]): string | undefined {
  if (!mount.root.startsWith('/')) return undefined; // nsfs roots such as net:[4026532554]
  let best: MountInfo | undefined;
  for (const h of hostMounts) {
    if (h.major !== mount.major || h.minor !== mount.minor || !within(mount.root, h.root)) continue;
    if (!best || h.root.length > best.root.length || (h.root.length === best.root.length && h.mountPoint.length < best.mountPoint.length))
      best = h;
  }
  return best ? rebase(mount.root, best.root, best.mountPoint) : undefined;
}

/** True when `path` is `dir` or below it. */
export function isWithin(path: string, dir: string): boolean {
  return within(path, dir);
}
