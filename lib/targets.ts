// Targets: what a caller names (a pid, `{ pid }`, a container, a pod) turned into one host pid.
// Container and pod targets are looked up here, directly (lib/containers.ts), at each call.
import { findContainer, findPodContainer } from './container-find.js';
import { describe } from './describe.js';
import type { ContainerTarget, RootOptions } from './target-types.js';

export type { Target, RootOptions, ContainerTarget } from './target-types.js';
export { describe } from './describe.js';

/** Largest pid Linux can hand out (PID_MAX_LIMIT on 64-bit). */
export const PID_MAX = 4_194_304;

/** Throws TypeError/RangeError unless `pid` is an integer in 1..PID_MAX. */
export function checkPid(pid: unknown, what = 'pid'): number {
  if (typeof pid !== 'number') throw new TypeError(`${what} must be a number, got ${describe(pid)}`);
  if (!Number.isInteger(pid) || pid < 1 || pid > PID_MAX) {
    throw new RangeError(`${what} must be an integer from 1 to ${PID_MAX}, got ${pid}`);
  }
  return pid;
}

// Container ids, docker/podman/ctr names and Kubernetes names: no '/', no spaces, no control characters.
const NAME = /^[A-Za-z0-9_.-]{1,253}$/;

function nameField(target: object, key: string, optional: boolean): string | undefined {
  const value = (target as Record<string, unknown>)[key];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new TypeError(`target.${key} must be a container id, id prefix or name (letters, digits, '_', '.', '-'), got ${describe(value)}`);
  }
  return value;
}

/** Checks a `{ container }` or `{ pod, namespace?, container? }` target; undefined for other shapes. */
export function containerTarget(target: unknown): ContainerTarget | undefined {
  if (target === null || typeof target !== 'object' || Array.isArray(target)) return undefined;
  const keys = Object.keys(target);
  if ('pod' in target && keys.every((k) => k === 'pod' || k === 'namespace' || k === 'container')) {
    const out: ContainerTarget = { pod: nameField(target, 'pod', false)! };
    const namespace = nameField(target, 'namespace', true);
    const container = nameField(target, 'container', true);
    if (namespace !== undefined) out.namespace = namespace;
    if (container !== undefined) out.container = container;
    return out;
  }
  if ('container' in target && keys.length === 1) return { container: nameField(target, 'container', false)! };
  return undefined;
}

/**
 * Turns a Target into a host pid. Validates the shape (TypeError/RangeError); `{ container }` and
 * `{ pod }` are looked up now (NsError 'ENSJOIN_NO_CONTAINER' or 'ENSJOIN_AMBIGUOUS_CONTAINER').
 * It does not check that the pid is alive: the caller opens it and gets ESRCH.
 */
export function resolveTarget(target: unknown, roots: RootOptions = {}): number {
  if (typeof target === 'number') return checkPid(target);
  if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
    const keys = Object.keys(target);
    if ('pid' in target && keys.length === 1) return checkPid(target.pid, 'target.pid');
    const checked = containerTarget(target);
    if (checked) return ('pod' in checked ? findPodContainer(checked, roots) : findContainer(checked.container, roots)).pid;
  }
  throw new TypeError(`target must be a pid, { pid }, { container } or { pod, namespace?, container? }, got ${describe(target)}`);
}
