// A spawn's target as a pid, with the failure sorted for where Node delivers it.
import type { NsError } from '../errors.js';
import { resolveTarget } from '../targets.js';

/**
 * The target as a pid. A Target of the wrong shape is a TypeError/RangeError, thrown; a target
 * that cannot be found (no such container) is an NsError, returned to be delivered where Node
 * delivers start failures.
 */
export function targetPid(target: unknown): number | NsError {
  try {
    return resolveTarget(target);
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw err;
    return err as NsError;
  }
}
