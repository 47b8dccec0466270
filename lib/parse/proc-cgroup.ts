// /proc/PID/cgroup: "hierarchy-ID:controller-list:cgroup-path" per line; "0::/path" is cgroup v2.
import { ParseError } from '../errors.js';
import { lines, show } from './util.js';

/** One line of /proc/PID/cgroup. */
export interface ProcCgroupEntry {
  /** Hierarchy id; 0 for the cgroup v2 line. */
  hierarchyId: number;
  /** Controllers bound to the hierarchy ('cpu', 'cpuacct', 'name=systemd', ...); [] for v2. */
  controllers: string[];
  /**
   * The cgroup path, relative to the reader's cgroup namespace root (it may begin with '/..' when
   * the process is outside that namespace). May contain ':'.
   */
  path: string;
}

/**
 * Parses /proc/PID/cgroup. Each line is split on its first two colons only: cgroup names can hold ':'
 * (`/kubepods/pod1/cri-containerd:abc` stays whole).
 *
 * @throws ParseError on an empty file or a line without two colons or with a bad hierarchy id
 */
export function parseProcCgroup(text: string, file = '/proc/PID/cgroup'): ProcCgroupEntry[] {
  const all = lines(text);
  if (all.length === 0) throw new ParseError(file, 0, 'empty file');
  return all.map((raw, i) => {
    const line = i + 1;
    const first = raw.indexOf(':');
    const second = first < 0 ? -1 : raw.indexOf(':', first + 1);
    if (second < 0) throw new ParseError(file, line, `expected "id:controllers:path", got ${show(raw)}`);
    const id = raw.slice(0, first);
    if (!/^\d+$/.test(id)) throw new ParseError(file, line, `bad hierarchy id ${show(id)}`);
    const list = raw.slice(first + 1, second);
    const path = raw.slice(second + 1);
    if (!path.startsWith('/')) throw new ParseError(file, line, `cgroup path must start with '/', got ${show(path)}`);
    return { hierarchyId: Number(id), controllers: list === '' ? [] : list.split(','), path };
  });
}
