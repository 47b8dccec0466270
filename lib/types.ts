// Types shared by many modules, in a module that imports nothing: the modules that use them
// (errors.ts, targets.ts, namespaces.ts) then need not import each other for a type.

/** The eight Linux namespace types, named as in /proc/PID/ns/. */
export type NamespaceType = 'cgroup' | 'ipc' | 'mnt' | 'net' | 'pid' | 'time' | 'user' | 'uts';

/**
 * What nsjoin acts on: a host pid, `{ pid }`, `{ container }` (a container id, its runtime's name
 * for it, or a unique id prefix), or `{ pod, namespace?, container? }` (a Kubernetes pod on this
 * node, by name, without an API server), the last two resolved through `listContainers()`.
 * Anything else is a TypeError.
 */
export type Target = number | { pid: number } | { container: string } | { pod: string; namespace?: string; container?: string };

/** Where the readers find procfs and sysfs; tests point these at captured trees. */
export interface RootOptions {
  /** procfs mount to read (default '/proc'). */
  procRoot?: string;
  /** sysfs mount to read (default '/sys'). */
  sysRoot?: string;
}
