// The switches nsjoin's own modules give spawn (InternalSwitches: freshSysfs for lib/net/sysfs.ts;
// ctty, dieWithParent, envSet for the CLI). They are not options: the public check
// (lib/spawn/options.ts) refuses their names, and they are checked here, apart, into a frozen value.
import { isMainThread } from 'node:worker_threads';
import { describe } from '../describe.js';
import { checkBoolean, checkString, checkVariableName, coded } from './checks.js';
import type { InternalSwitches } from './types.js';

/** The internal switches, checked. */
export interface Internal {
  readonly freshSysfs: boolean;
  /** The stdio index that becomes the controlling terminal; undefined: the pty's, if any. */
  readonly ctty: number | undefined;
  readonly dieWithParent: boolean;
  readonly envSet: Readonly<Record<string, string>>;
}

/** None of the switches: what the public calls get. */
export const NO_INTERNAL: Internal = Object.freeze({ freshSysfs: false, ctty: undefined, dieWithParent: false, envSet: Object.freeze({}) });

/**
 * Checks the internal switches against the program's stdio slot count.
 * @throws TypeError/RangeError for a wrong value; ERR_WORKER_UNSUPPORTED_OPERATION for
 * dieWithParent in a worker thread.
 */
export function checkInternal(value: InternalSwitches | undefined, stdioCount: number): Internal {
  if (value === undefined) return NO_INTERNAL;
  let ctty: number | undefined;
  if (value.ctty !== undefined) {
    if (!Number.isInteger(value.ctty) || value.ctty < 0 || value.ctty >= stdioCount) throw new RangeError('ctty must be a stdio index');
    ctty = value.ctty;
  }
  return Object.freeze({
    freshSysfs: checkBoolean(value.freshSysfs, 'freshSysfs') ?? false,
    ctty,
    dieWithParent: checkDieWithParent(value.dieWithParent),
    envSet: checkEnvSet(value.envSet),
  });
}

function checkDieWithParent(v: unknown): boolean {
  const on = checkBoolean(v, 'dieWithParent') ?? false;
  // PR_SET_PDEATHSIG fires when the spawning *thread* exits: from a worker, the program would be
  // killed when the worker ends, not when the process does.
  if (on && !isMainThread) {
    throw coded(
      new TypeError('dieWithParent is for the main thread only: from a worker thread the program would die with the worker'),
      'ERR_WORKER_UNSUPPORTED_OPERATION',
    );
  }
  return on;
}

function checkEnvSet(value: unknown): Readonly<Record<string, string>> {
  if (value === undefined || value === null) return NO_INTERNAL.envSet;
  if (typeof value !== 'object' || Array.isArray(value))
    throw coded(new TypeError(`envSet must be an object, got ${describe(value)}`), 'ERR_INVALID_ARG_TYPE');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    checkVariableName(k, 'envSet');
    out[k] = checkString(v, `envSet.${k}`);
  }
  return Object.freeze(out);
}
