// Where each runtime keeps its state on the host: the standard paths by default, each one
// configurable (k3s and RKE2 move containerd's to /run/k3s/containerd, rootless podman keeps its
// store in the user's home, tests point them at captured trees).
import { describe } from '../describe.js';

/** Runtime state directories read by `listContainers()` to name containers. */
export interface RuntimeRoots {
  /** dockerd's data root (default '/var/lib/docker'): containers/<id>/config.v2.json. */
  dockerRoot: string;
  /** containers/storage roots for podman (default graph root and run root). */
  podmanRoots: string[];
  /** containerd state directories (default '/run/containerd', '/run/k3s/containerd'). */
  containerdStateRoots: string[];
  /** containers/storage roots where CRI-O writes its bundles (default its run root, then its graph root). */
  crioRoots: string[];
  /** The directory holding the kubelet's pods/ and containers/ log directories (default '/var/log'). */
  kubeletLogRoot: string;
}

/** The standard locations. */
export const DEFAULT_RUNTIME_ROOTS: Readonly<RuntimeRoots> = Object.freeze({
  dockerRoot: '/var/lib/docker',
  podmanRoots: ['/var/lib/containers/storage', '/run/containers/storage'],
  containerdStateRoots: ['/run/containerd', '/run/k3s/containerd'],
  crioRoots: ['/run/containers/storage', '/var/lib/containers/storage'],
  kubeletLogRoot: '/var/log',
});

const ONE = ['dockerRoot', 'kubeletLogRoot'] as const;
const MANY = ['podmanRoots', 'containerdStateRoots', 'crioRoots'] as const;

function absolute(value: unknown, what: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.includes('\0')) {
    throw new TypeError(`${what} must be an absolute path, got ${describe(value)}`);
  }
  return value.replace(/\/+$/, '') || '/';
}

/**
 * The defaults overridden by `given` (a partial RuntimeRoots). `false` reads no state files at all
 * (containers are then listed from /proc alone, without names).
 *
 * @throws TypeError for an unknown key or a value that is not an absolute path (or an array of them)
 */
export function runtimeRoots(given: unknown): RuntimeRoots | false {
  if (given === false) return false;
  const roots: RuntimeRoots = {
    ...DEFAULT_RUNTIME_ROOTS,
    podmanRoots: [...DEFAULT_RUNTIME_ROOTS.podmanRoots],
    containerdStateRoots: [...DEFAULT_RUNTIME_ROOTS.containerdStateRoots],
    crioRoots: [...DEFAULT_RUNTIME_ROOTS.crioRoots],
  };
  if (given === undefined) return roots;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new TypeError(`runtimeRoots must be an object or false, got ${describe(given)}`);
  }
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if ((ONE as readonly string[]).includes(key)) roots[key as (typeof ONE)[number]] = absolute(value, `runtimeRoots.${key}`);
    else if ((MANY as readonly string[]).includes(key)) {
      if (!Array.isArray(value)) throw new TypeError(`runtimeRoots.${key} must be an array of absolute paths, got ${describe(value)}`);
      roots[key as (typeof MANY)[number]] = value.map((v, i) => absolute(v, `runtimeRoots.${key}[${i}]`));
    } else {
      throw new TypeError(`runtimeRoots has no option '${key}' (options: ${[...ONE, ...MANY].join(', ')})`);
    }
  }
  return roots;
}
