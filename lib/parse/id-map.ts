// /proc/PID/uid_map and gid_map (user_namespaces(7)): "inside outside count" lines, the numbers
// right-aligned by the kernel. `outside` is in the reader's user namespace.
import { ParseError } from '../errors.js';
import { lines, show, toInt } from './util.js';

/** One line of an id map: ids outside..outside+count-1 are inside..inside+count-1 in the namespace. */
export interface IdMapRange {
  inside: number;
  outside: number;
  count: number;
}

/**
 * Parses an uid_map or gid_map. An empty map (a user namespace whose map was not written yet)
 * is an empty array.
 *
 * @throws ParseError on a line that is not three integers
 */
export function parseIdMap(text: string, file = '/proc/PID/uid_map'): IdMapRange[] {
  return lines(text).map((raw, i) => {
    const f = raw.trim().split(/\s+/);
    if (f.length !== 3) throw new ParseError(file, i + 1, `expected "inside outside count", got ${show(raw)}`);
    const [inside, outside, count] = f.map((t, k) => toInt(t, file, i + 1, ['inside', 'outside', 'count'][k]));
    return { inside: inside!, outside: outside!, count: count! };
  });
}

/** An id of the reader's namespace as the map's namespace sees it, or -1 when it is not mapped. */
export function mapIdInside(ranges: readonly IdMapRange[], id: number): number {
  for (const r of ranges) if (id >= r.outside && id < r.outside + r.count) return r.inside + id - r.outside;
  return -1;
}

/** The mapping of a map file's text as a function (host id -> id inside, or -1). */
export function idMapper(text: string, file?: string): (id: number) => number {
  const ranges = parseIdMap(text, file);
  return (id) => mapIdInside(ranges, id);
}
