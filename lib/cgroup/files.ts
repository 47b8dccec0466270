// Reading one cgroup file and walking a cgroup's ancestors: the helpers every controller reader uses.
import { dirname } from 'node:path';
import { readText, readTextIfExists } from '../io.js';
import { parseFlatKeyed } from '../parse/flat-keyed.js';
import { parseLimit, parseSingleValue } from '../parse/single-value.js';
import type { CgroupLocation } from './types.js';

// Plain concatenation: directories here are already absolute and normalised (mount point + cgroup
// path), and path.join's normalisation cost more than the parsing of a whole snapshot.
/** The path of file `name` in cgroup directory `dir`. */
export const file = (dir: string, name: string): string => (dir.endsWith('/') ? dir + name : `${dir}/${name}`);
/** A single-value file as a number; throws when it cannot be read. */
export const num = (dir: string, name: string): number => parseSingleValue(readText(file(dir, name)), file(dir, name));
/** A single-value file as a number; undefined when the file is absent. */
export const optNum = (dir: string, name: string): number | undefined => {
  const text = readTextIfExists(file(dir, name));
  return text === undefined ? undefined : parseSingleValue(text, file(dir, name));
};
/** A flat-keyed file (`key value` lines); throws when it cannot be read. */
export const flat = (dir: string, name: string): Record<string, number> => parseFlatKeyed(readText(file(dir, name)), file(dir, name));

/** The directories from `dir` up to and including `mountRoot`: the ancestors whose limits apply. */
export function ancestry(dir: string, mountRoot: string): string[] {
  const out = [dir];
  let d = dir;
  while (d !== mountRoot && d.startsWith(mountRoot) && dirname(d) !== d) {
    d = dirname(d);
    out.push(d);
  }
  return out;
}

/**
 * Smallest non-null value of a limit along the ancestors (files absent at the root are skipped).
 * `own`, when given, is the value at `dir` itself, already read by the caller (no file twice).
 */
export function effective(
  dir: string,
  mountRoot: string,
  read: (d: string) => number | null | undefined,
  own?: { value: number | null | undefined },
): number | null {
  let best: number | null = null;
  for (const d of ancestry(dir, mountRoot)) {
    const v = own && d === dir ? own.value : read(d);
    if (v !== null && v !== undefined && (best === null || v < best)) best = v;
  }
  return best;
}

/** A limit file of `dir` ("max" = null); undefined when the file is absent. */
export function optLimit(dir: string, name: string): number | null | undefined {
  const text = readTextIfExists(file(dir, name));
  return text === undefined ? undefined : parseLimit(text, file(dir, name));
}

/** Whether `controller` of a located cgroup is served by its cgroup2 directory. */
export const isV2 = (loc: CgroupLocation, controller: string): boolean =>
  loc.controllers[controller] !== undefined && loc.controllers[controller] === loc.unified;
