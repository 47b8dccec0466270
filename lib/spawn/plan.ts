// From checked options to a plan: the /proc reads that decide which namespaces are joined, the
// root, cwd, ids, environment, privileges and cgroups of the program, from the host's view. The
// plan is frozen once built; the addon gets it with the stdio fds added (lib/spawn/start.ts).
import type { RawSpawnSpec } from '../binding.js';
import { binding } from '../binding.js';
import { cgroupFrozen } from '../cgroup/frozen.js';
import { locateCgroups, readMounts } from '../cgroup/locate.js';
import { checkPrivileges, targetCredentials, targetStatus } from '../credentials.js';
import { programEnvironment } from '../environment.js';
import { E } from '../errno.js';
import { NsError } from '../errors.js';
import { closeFd } from '../fd.js';
import { readText } from '../io.js';
import { NAMESPACE_FLAGS, NAMESPACE_TYPES, namespacesOf, ownNamespaces, type NamespaceType } from '../namespaces.js';
import { unwrap } from '../native-error.js';
import { idMapper } from '../parse/id-map.js';
import { parseProcCgroup } from '../parse/proc-cgroup.js';
import type { ProcStatus } from '../parse/proc-status.js';
import type { Internal } from './internal.js';
import { kernelSupport } from './kernel.js';
import type { CheckedOptions } from './options.js';

/** What the program is started with, read from the target; frozen. */
export interface Plan {
  readonly pid: number;
  /** The target's pidfd, opened before anything of it was read; closed by releasePlan(). */
  readonly pidfd: number;
  /** The namespaces joined. */
  readonly joined: readonly NamespaceType[];
  /** The program as given (after `shell`). */
  readonly file: string;
  /** The addon's spec, but for the pidfd and the stdio fds (added when it starts). */
  readonly spec: Readonly<Omit<RawSpawnSpec, 'pidfd' | 'stdio'>>;
}

/**
 * Reads the target and works out the plan; starts nothing. The target is anchored by a pidfd
 * before anything of it is read from /proc, and the addon checks through that pidfd that it still
 * lives after opening the rest: so everything read here is of that same process, never of one that
 * was given its pid after it died. The caller closes the pidfd with releasePlan(). Every argument
 * was checked before (lib/spawn/options.ts): what this throws is a failure of the target (NsError).
 */
export function makePlan(pid: number | NsError, o: CheckedOptions, internal: Internal): Plan {
  if (pid instanceof NsError) throw pid;
  const pidfd = unwrap(binding().pidfdOpen(pid), { pid });
  try {
    return Object.freeze({ pid, pidfd, file: o.file, ...readPlan(pid, o, internal) });
  } catch (err) {
    closeFd(pidfd);
    throw err;
  }
}

/** Closes the target's pidfd once the addon has had it (or will never get it). Once per plan. */
export function releasePlan(plan: Plan): void {
  closeFd(plan.pidfd);
}

/** A target that exited while it was read: its namespace links went away. */
function exited(pid: number, type: NamespaceType): NsError {
  return NsError.fromErrno(E.ESRCH, {
    syscall: 'readlink',
    namespace: type,
    pid,
    path: `/proc/${pid}/ns/${type}`,
    hint: 'the target exited',
  });
}

/** The namespaces to join: 'all' is each of the target's that differs from ours. */
function wantedNamespaces(pid: number, o: CheckedOptions): { wanted: NamespaceType[]; userShared: boolean } {
  const theirs = namespacesOf(pid);
  const ours = ownNamespaces();
  // A zombie keeps its user and pid links but has no other namespace left to join: it exited.
  const gone = NAMESPACE_TYPES.find((t) => ours[t] && !theirs[t]);
  if (gone) throw exited(pid, gone);
  let wanted: NamespaceType[];
  if (o.namespaces === 'all') {
    wanted = NAMESPACE_TYPES.filter(
      (t) => theirs[t] && ours[t] && theirs[t]!.inode !== ours[t]!.inode && !(o.debug && (t === 'mnt' || t === 'user')),
    );
  } else {
    wanted = [];
    for (const type of o.namespaces) {
      if (!theirs[type]) {
        // We have that type, so the target's link went away under us: it exited mid-read.
        if (ours[type]) throw exited(pid, type);
        throw new NsError('ENOENT', `this kernel has no ${type} namespaces`, { namespace: type, pid, path: `/proc/${pid}/ns/${type}` });
      }
      // Re-entering our own user namespace is EINVAL; it would be a no-op anyway.
      if (type === 'user' && theirs.user!.inode === ours.user?.inode) continue;
      if (!wanted.includes(type)) wanted.push(type);
    }
  }
  return { wanted, userShared: theirs.user?.inode === ours.user?.inode };
}

/** The ids the program takes: the target's, the given ones, or root of a joined user namespace. */
function credentialIds(
  pid: number,
  o: CheckedOptions,
  userJoined: boolean,
  status: () => ProcStatus,
): Pick<RawSpawnSpec, 'uid' | 'gid' | 'groups' | 'setGroups' | 'groupsOptional'> {
  if (o.user === 'target') return { ...targetIds(pid, status(), userJoined), setGroups: true, groupsOptional: false };
  if (o.user !== undefined)
    return { uid: o.user.uid, gid: o.user.gid, groups: [...o.user.groups], setGroups: true, groupsOptional: o.user.groupsOptional };
  // As nsenter: become root of the joined user namespace, or exec would drop every capability.
  if (userJoined) return { uid: 0, gid: 0, groups: [], setGroups: true, groupsOptional: true };
  return { uid: -1, gid: -1, groups: [], setGroups: false, groupsOptional: false };
}

function readPlan(pid: number, o: CheckedOptions, internal: Internal): Pick<Plan, 'joined' | 'spec'> {
  const { wanted, userShared } = wantedNamespaces(pid, o);
  const nsMask = wanted.reduce((m, t) => m | NAMESPACE_FLAGS[t], 0);
  const mnt = wanted.includes('mnt');
  const userJoined = wanted.includes('user');
  const root = o.root ?? mnt;
  const cwdFromTarget = o.cwd === null && (mnt || root);
  // /proc/PID/status, read once for the ids and the credentials, and only when one needs it.
  let status: ProcStatus | undefined;
  const statusOnce = (): ProcStatus => (status ??= targetStatus(pid));
  const ids = credentialIds(pid, o, userJoined, statusOnce);

  // Environment, and the PATH the file is searched in (environment.ts: never the target's for a
  // host binary; debug's host programs get ours by default).
  const { envp, path: pathVar } = programEnvironment(pid, o.env, mnt || root, internal.envSet);

  // Program: searched in the program's own PATH inside the target's view, as execvp would.
  const name = o.file;
  const execPaths = name.includes('/')
    ? [name]
    : pathVar
        .split(':')
        .filter((d) => d.length > 0)
        .map((d) => `${d.replace(/\/+$/, '')}/${name}`);
  if (execPaths.length === 0) execPaths.push(`/${name}`);

  // Privileges (credentials.ts): the target's for its own binaries, ours for host binaries.
  const privileges = checkPrivileges(o.privileges, mnt || root, wanted.includes('pid'));
  const cgroupProcs = (o.joinCgroup ?? privileges === 'target') ? cgroupProcsFiles(pid, o.joinCgroup === undefined) : [];
  const creds = privileges === 'target' ? targetCredentials(pid, statusOnce(), userJoined || userShared) : null;
  const k = kernelSupport();
  const ctty = internal.ctty ?? (o.pty ? 0 : -1);
  return {
    joined: Object.freeze(wanted),
    spec: Object.freeze({
      pid,
      nsMask,
      setnsPidfd: k.setnsPidfd,
      closeRange: k.closeRange,
      root,
      cwd: o.cwd,
      cwdFromTarget,
      verifyCwd: mnt || root,
      cwdFallbackToRoot: cwdFromTarget,
      // Debug mode sees the target's network devices in /sys as well as its processes in /proc.
      freshSysfs: internal.freshSysfs || o.debug,
      freshProc: o.debug,
      setsid: o.detached || ctty >= 0,
      ctty,
      dieWithParent: internal.dieWithParent,
      ...ids,
      creds,
      cgroupProcs,
      argv: [o.argv0, ...o.args],
      envp,
      execPaths,
    }),
  };
}

/** The target's effective ids (/proc/PID/status); mapped into its user namespace when that is joined. */
function targetIds(pid: number, status: ProcStatus, userJoined: boolean): { uid: number; gid: number; groups: number[] } {
  let uid = status.uid[1],
    gid = status.gid[1];
  let groups = status.groups;
  if (userJoined) {
    const mapUid = idMapper(readText(`/proc/${pid}/uid_map`, pid));
    const mapGid = idMapper(readText(`/proc/${pid}/gid_map`, pid));
    uid = mapUid(uid);
    gid = mapGid(gid);
    groups = groups.map(mapGid).filter((g) => g >= 0);
    if (uid < 0 || gid < 0) throw new NsError('EINVAL', `the target's ids are not mapped in its user namespace [pid ${pid}]`, { pid });
  }
  return { uid, gid, groups };
}

/** The cgroup.procs file of every hierarchy the target is in (v1 controllers, named, cgroup2); none
 *  when it is in the calling thread's own cgroups (a no-op that would need write access). The
 *  default join refuses a frozen cgroup (EBUSY, as runc exec refuses a paused container): the
 *  joiner would stop there with Node's thread waiting on it. */
function cgroupProcsFiles(pid: number, byDefault: boolean): string[] {
  const path = `/proc/${pid}/cgroup`;
  const text = readText(path, pid);
  if (text === readText('/proc/thread-self/cgroup')) return [];
  // Located from the text just read (cgroupOf would read and parse it again).
  const where = locateCgroups(parseProcCgroup(text, path), readMounts(), { pid });
  if (byDefault && cgroupFrozen(where)) {
    throw new NsError('EBUSY', `the target's cgroup is frozen (a paused container) [pid ${pid}]; unpause it, or pass joinCgroup: false`, {
      pid,
    });
  }
  const dirs = new Set(Object.values(where.controllers));
  if (where.unified !== undefined) dirs.add(where.unified);
  return [...dirs].map((dir) => `${dir}/cgroup.procs`);
}
