// Reading which namespaces a process is in (/proc/PID/ns/*), and an lsns-like listing.
import { readdirSync, readlinkSync } from 'node:fs';
import { NsError, PTRACE_HINT } from './errors.js';
import { readText } from './io.js';
import { E } from './errno.js';
import { resolveTarget } from './targets.js';
import type { RootOptions, Target } from './target-types.js';
import type { NamespaceType } from './types.js';

export type { NamespaceType } from './types.js';

/** Every namespace type. */
export const NAMESPACE_TYPES: readonly NamespaceType[] = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts'];

/** The CLONE_NEW* flag of each type, as setns(2) takes it. */
export const NAMESPACE_FLAGS: Readonly<Record<NamespaceType, number>> = {
  user: 0x10000000,
  cgroup: 0x02000000,
  ipc: 0x08000000,
  uts: 0x04000000,
  net: 0x40000000,
  pid: 0x20000000,
  mnt: 0x00020000,
  time: 0x00000080,
};

/** One namespace of a process: its inode number (equal inodes = the same namespace). */
export interface NamespaceId {
  /** Inode of the namespace on the nsfs filesystem. */
  inode: number;
}

/**
 * The inode of /proc/PID/ns/TYPE (the `[N]` of its link `type:[N]`); undefined when this kernel has
 * no such type. @throws NsError when the link cannot be read (ESRCH, EACCES with a hint). @internal
 */
export function readNsInode(procRoot: string, pid: number | 'self', type: NamespaceType): number | undefined {
  const path = `${procRoot}/${pid}/ns/${type}`;
  let link: string;
  try {
    link = readlinkSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return undefined;
    throw NsError.fromNodeError(e, {
      syscall: 'readlink',
      path,
      ...(pid === 'self' ? {} : { pid }),
      ...(e.code === 'EACCES' || e.code === 'EPERM' ? { hint: PTRACE_HINT } : {}),
    });
  }
  const m = /\[(\d+)\]$/.exec(link);
  if (!m) throw new NsError('EINVAL', `unexpected namespace link ${link} at ${path}`, { path });
  return Number(m[1]);
}

/**
 * Returns the namespaces of a process, each type mapped to `{ inode }`. Types this kernel does not
 * have are left out.
 * @throws TypeError/RangeError for a bad target; NsError ESRCH when the process does not exist,
 * EACCES without ptrace read access to it.
 */
export function namespacesOf(target: Target, roots: RootOptions = {}): Partial<Record<NamespaceType, NamespaceId>> {
  const pid = resolveTarget(target, roots);
  const procRoot = roots.procRoot ?? '/proc';
  const out: Partial<Record<NamespaceType, NamespaceId>> = {};
  for (const type of NAMESPACE_TYPES) {
    const inode = readNsInode(procRoot, pid, type);
    if (inode !== undefined) out[type] = { inode };
  }
  if (Object.keys(out).length === 0) {
    throw NsError.fromErrno(E.ESRCH, { syscall: 'readlink', path: `${procRoot}/${pid}/ns`, pid });
  }
  return out;
}

// Our own namespaces, read once: every spawn with namespaces 'all' compares against them, and a
// multithreaded Node process cannot leave its mnt or user namespace, nor does Node or nsjoin ever
// call setns or unshare on its threads (the joiner is a separate process).
let own: Readonly<Partial<Record<NamespaceType, NamespaceId>>> | undefined;

/** Our own namespaces (those of the calling process). */
export function ownNamespaces(roots: RootOptions = {}): Readonly<Partial<Record<NamespaceType, NamespaceId>>> {
  if (roots.procRoot === undefined || roots.procRoot === '/proc') return (own ??= Object.freeze(readOwnNamespaces('/proc')));
  return readOwnNamespaces(roots.procRoot);
}

function readOwnNamespaces(procRoot: string): Partial<Record<NamespaceType, NamespaceId>> {
  const out: Partial<Record<NamespaceType, NamespaceId>> = {};
  for (const type of NAMESPACE_TYPES) {
    const inode = readNsInode(procRoot, 'self', type);
    if (inode !== undefined) out[type] = { inode };
  }
  return out;
}

/** One row of `listNamespaces()`, as lsns prints it. */
export interface NamespaceInfo {
  type: NamespaceType;
  inode: number;
  /** Number of processes in it (that we could see). */
  processes: number;
  /** The lowest host pid in it. */
  pid: number;
  /** That process's command line (arguments joined by spaces), or its comm when it has none. */
  command: string;
}

/**
 * Lists every namespace that some process is in, like `lsns`: type, inode, process count, lowest
 * pid and its command. Processes that vanish during the scan or that we may not inspect are skipped.
 * Sorted by type, then inode.
 * @throws NsError when procRoot cannot be listed (ENOENT, EACCES).
 */
export function listNamespaces(roots: RootOptions = {}): NamespaceInfo[] {
  const procRoot = roots.procRoot ?? '/proc';
  const byKey = new Map<string, NamespaceInfo>();
  let names: string[];
  try {
    names = readdirSync(procRoot);
  } catch (err) {
    throw NsError.fromNodeError(err as NodeJS.ErrnoException, { syscall: 'scandir', path: procRoot });
  }
  const pids = names
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
  for (const pid of pids) {
    for (const type of NAMESPACE_TYPES) {
      let inode: number | undefined;
      try {
        inode = readNsInode(procRoot, pid, type);
      } catch {
        continue; // no access or gone
      }
      if (inode === undefined) continue;
      const key = `${type}:${inode}`;
      const row = byKey.get(key);
      if (row) row.processes++;
      else byKey.set(key, { type, inode, processes: 1, pid, command: commandOf(procRoot, pid) });
    }
  }
  return [...byKey.values()].sort((a, b) => (a.type === b.type ? a.inode - b.inode : a.type < b.type ? -1 : 1));
}

// A display name: the command line up to 64 KiB (a process can make its cmdline gigabytes), else
// the 15-character comm.
function commandOf(procRoot: string, pid: number): string {
  try {
    const cmdline = readText(`${procRoot}/${pid}/cmdline`, pid, 64 * 1024)
      .replace(/\0+$/, '')
      .split('\0')
      .join(' ');
    if (cmdline) return cmdline;
  } catch {
    /* gone, or EFBIG */
  }
  try {
    return readText(`${procRoot}/${pid}/comm`, pid).trim();
  } catch {
    return '';
  }
}
