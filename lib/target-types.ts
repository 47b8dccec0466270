// The types of a target and of where it is read from. A module of types only, imported by every
// reader: none of them has to import targets.ts (which imports the container lookup) for a type.

/**
 * What nsjoin acts on: a host pid, `{ pid }`, `{ container }` (a container id, its runtime's name
 * for it, or a unique id prefix), or `{ pod, namespace?, container? }` (a Kubernetes pod on this
 * node, by name, without an API server), the last two resolved through `listContainers()`.
 * Anything else is a TypeError.
 */
export type Target = number | { pid: number } | { container: string } | { pod: string; namespace?: string; container?: string };

/** A container or pod target, its shape checked. */
export type ContainerTarget = { container: string } | { pod: string; namespace?: string; container?: string };

/** Where the readers find procfs and sysfs; tests point these at captured trees. */
export interface RootOptions {
  /** procfs mount to read (default '/proc'). */
  procRoot?: string;
  /** sysfs mount to read (default '/sys'). */
  sysRoot?: string;
}
