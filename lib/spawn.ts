// spawn / execFile / spawnSync into the namespaces of another process. This module validates the
// options, works out the plan (which namespaces, root, cwd, ids, env, fds) from the host's view,
// and hands it to the addon, which does the clone/setns/exec part (native/spawn.cc).
import { EventEmitter } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { release } from 'node:os';
import type { Stream, Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { binding, type RawChild, type RawSpawnResult, type RawSpawnSpec } from './binding.js';
import { cgroupFrozen } from './cgroup/frozen.js';
import { cgroupOf } from './cgroup/locate.js';
import { checkPtySize, openPtyFor, ptyStream, resizePty, type PtyInfo, type PtySize, type PtyStream } from './pty.js';
import { checkPrivileges, targetCredentials, type Privileges } from './credentials.js';
import { programEnvironment } from './environment.js';
import { NsError, PTRACE_HINT } from './errors.js';
import { readText } from './io.js';
import { E } from './errno.js';
import { nativeError, unwrap } from './native-error.js';
import { idMapper } from './parse/id-map.js';
import { readStartSync, watchStart, type StartFailure } from './start-report.js';
import { NAMESPACE_FLAGS, NAMESPACE_TYPES, namespacesOf, ownNamespaces, type NamespaceType } from './namespaces.js';
import { checkOptions, signalName, splitArguments, toSignal, type CheckedOptions, type StdioKind } from './spawn-options.js';
import { resolveTarget, type Target } from './targets.js';

/**
 * One stdio slot, as child_process takes it: a pipe to us ('pipe', 'overlapped'), our own fd of
 * that number ('inherit'), /dev/null ('ignore'), a given fd of ours or a Stream that has one
 * (a net.Socket, an fs stream), null/undefined for the default. 'ipc' is refused (TypeError).
 */
export type StdioEntry = 'pipe' | 'overlapped' | 'inherit' | 'ignore' | 'ipc' | Stream | number | null | undefined;

/** How to join a target; see docs/architecture.md. Every field is optional. */
export interface JoinOptions {
  /** Namespaces to join. Default 'all': each namespace of the target that differs from ours (nsenter -a). */
  namespaces?: NamespaceType[] | 'all';
  /** chroot to the target's root (/proc/PID/root). Default: true when 'mnt' is joined. */
  root?: boolean;
  /** Working directory, in the target's view (a string or a file: URL). Default: the target's own
   *  cwd when mnt is joined (or root is set), falling back to its root if that cwd is gone or
   *  outside its root; else process.cwd(). */
  cwd?: string | URL;
  /** Credentials. Default: keep ours (uid 0 inside when the user namespace is joined, as nsenter);
   *  'target' = the target's effective uid, gid and groups; or explicit ids (in the target's user
   *  namespace when it is joined). Supplementary groups default to none when ids are given. */
  user?: 'target' | { uid: number; gid: number; groups?: number[] };
  /** Node's way of giving ids: each one given is set (in the target's user namespace when it is
   *  joined) and supplementary groups are dropped where permitted, as libuv. Not with `user`. */
  uid?: number;
  /** See uid. */
  gid?: number;
  /** Environment: 'target' (the target's /proc/PID/environ), 'inherit' (ours), or an object
   *  (values are turned into strings, undefined ones left out, as Node). Default: 'target' when
   *  the program runs in the target's root (mnt joined, or `root`), else 'inherit'. A program
   *  outside the target's root is a host binary: even with 'target' it never gets the target's
   *  PATH, loader (LD_*), shell-startup or interpreter-path variables, and its file is searched in
   *  our PATH. */
  env?: NodeJS.ProcessEnv | Record<string, string | number | boolean | bigint | undefined> | 'target' | 'inherit';
  /** The program joins the target's cgroup in every hierarchy (v1, v2, hybrid) before exec.
   *  Default: true with privileges 'target' (skipped when the target's cgroups are ours; a frozen
   *  one is refused with EBUSY, as runc exec refuses a paused container), else false. */
  joinCgroup?: boolean;
  /** Whose privileges the program runs with. 'target': the target's capability sets (bounding,
   *  permitted, effective, inheritable, ambient), its no_new_privs, its LSM exec label, and its
   *  cgroup, as `runc exec` gives a process; seccomp is not inherited (README, Security). 'caller':
   *  ours (host root's full capabilities). Default: 'target' when the program runs in the target's
   *  root (mnt joined, or `root`): it is the container's binary, which the container may have
   *  replaced; 'caller' for a host binary (e.g. namespaces: ['net']), which is ours and gets our
   *  cleaned environment. 'target' for a host binary in the target's pid namespace is refused
   *  (TypeError): the container's root could ptrace it and reach the host's filesystem. */
  privileges?: Privileges;
  /** As child_process: 'pipe' (default), 'overlapped', 'inherit', 'ignore', or one entry per fd. */
  stdio?: 'pipe' | 'overlapped' | 'inherit' | 'ignore' | StdioEntry[];
  /** The program runs in a new session (setsid), as child_process's `detached` on Linux. */
  detached?: boolean;
  /** Run the command line `[file, ...args].join(' ')` with the target's `/bin/sh -c` (true) or
   *  with this shell, in the target's view, as child_process does (no quoting: never pass
   *  untrusted text). */
  shell?: boolean | string;
  /** Accepted for child_process compatibility; only meaningful with IPC, which nsjoin has not. */
  serialization?: 'json' | 'advanced';
  /** Windows only in Node: accepted and ignored. */
  windowsHide?: boolean;
  /** Windows only in Node: accepted and ignored. */
  windowsVerbatimArguments?: boolean;
  /** Aborting kills the program with killSignal and emits an AbortError. */
  signal?: AbortSignal;
  /** Kill the program with killSignal after this many milliseconds (0 = never). */
  timeout?: number;
  /** Signal for timeout and abort. Default 'SIGTERM'. */
  killSignal?: NodeJS.Signals | number;
  /** argv[0] of the program. Default: the file as given. */
  argv0?: string;
  /** Run the program on a new pseudo-terminal (true = 80x24): it becomes a session leader with the
   *  pty as its controlling terminal (job control works), and `child.pty` is the master side.
   *  spawn() only; not with `stdio`. The pty comes from the target's own /dev/pts when the
   *  program sees the target's filesystem (mnt joined or root), else from the host's. */
  pty?: boolean | PtySize;
  /** Debug mode (`nsjoin debug`): run the host's programs (its filesystem, its tools, our PATH and
   *  environment) inside every namespace of the target but its mount and user namespaces (a
   *  process whose root is the host's filesystem must not be ptrace-able by the container's root),
   *  with our credentials, in a private copy
   *  of the host's mount namespace with a fresh /proc of the target's pid namespace (so `ps` shows
   *  the container's processes) and a fresh read-only /sys of its network namespace; the target's
   *  root is /proc/1/root there. Nothing is mounted in the host's or the target's mount namespace.
   *  Not with `root: true`, nor 'mnt' or 'user' in `namespaces`. */
  debug?: boolean;
}

/** Options of `execFile`: JoinOptions plus what child_process.execFile takes. */
export interface ExecFileOptions extends Omit<JoinOptions, 'stdio' | 'detached' | 'serialization' | 'pty'> {
  /** Written to the program's stdin, which is then closed (child_process.execFile has no input). */
  input?: string | NodeJS.ArrayBufferView;
  /** 'utf8' by default; 'buffer' or null resolves Buffers. Typed `string` as Node's option is;
   *  a name that is no encoding is a TypeError. */
  encoding?: BufferEncoding | 'buffer' | null | (string & {});
  /** Largest stdout or stderr in bytes before the program is killed. Default 1 MiB, as Node. */
  maxBuffer?: number;
}

/** Options of `spawnSync`. */
export interface SpawnSyncOptions extends Omit<JoinOptions, 'serialization' | 'pty'> {
  /** Written to the program's stdin, which is then closed. */
  input?: string | NodeJS.ArrayBufferView;
  /** 'buffer' (or null) by default, as Node; any other encoding turns the outputs into strings. */
  encoding?: BufferEncoding | 'buffer' | null;
  /** Largest stdout or stderr in bytes; past it the program is killed and `error` is ENOBUFS. */
  maxBuffer?: number;
}

/** Not part of the public API: switches used by nsjoin's own modules. */
export interface InternalJoinOptions extends JoinOptions {
  /** After joining, unshare a private mount namespace and mount a fresh sysfs on /sys, so that
   *  /sys/class/net shows the joined network namespace. */
  freshSysfs?: boolean;
  /** New session; this stdio index becomes the controlling terminal (pty support). */
  ctty?: number;
  /** The program gets SIGKILL when the Node thread that spawned it exits (PR_SET_PDEATHSIG): for
   *  a CLI, whose program must not outlive it. Not for spawns from worker threads that end. */
  dieWithParent?: boolean;
  /** Variables set on top of the environment (the CLI's TERM for a pty). */
  envSet?: Record<string, string>;
}


/** What kernelSupport() reports: setns(2) on a pidfd (Linux 5.8), close_range(2) (5.9). */
export interface Kernel { setnsPidfd: boolean; closeRange: boolean }
let kernel: Kernel | undefined;

/**
 * Which newer kernel calls nsjoin uses. setns(pidfd) needs Linux 5.8, close_range 5.9; older
 * kernels get the fallbacks (per-namespace fds checked against the pidfd; closing fds listed in
 * /proc). NSJOIN_FALLBACK=setns,close_range (or 'all') forces the fallbacks, for tests.
 */
export function kernelSupport(): Kernel {
  if (kernel) return kernel;
  const [major = 0, minor = 0] = release().split(/[.-]/).map(Number);
  const force = (process.env.NSJOIN_FALLBACK ?? '').split(',');
  const forced = (name: string) => force.includes(name) || force.includes('all');
  const features = binding().kernelFeatures();
  kernel = {
    setnsPidfd: !forced('setns') && (major > 5 || (major === 5 && minor >= 8)),
    closeRange: !forced('close_range') && features.closeRange,
  };
  return kernel;
}

interface Plan {
  pid: number;
  spec: RawSpawnSpec;
  /** What each stdio slot is, after defaults. */
  stdio: StdioKind[];
  joined: NamespaceType[];
  file: string;
  args: string[];
  timeout: number;
  killSignal: number;
  signal: AbortSignal | undefined;
  pty: { cols: number; rows: number } | null;
}

/**
 * The target as a pid. A Target of the wrong shape is a TypeError/RangeError, thrown; a target
 * that cannot be found (no such container) is an NsError, returned to be delivered where Node
 * delivers start failures.
 */
function targetPid(target: unknown): number | NsError {
  try {
    return resolveTarget(target);
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw err;
    return err as NsError;
  }
}

/**
 * Reads the target and works out the plan; starts nothing. The target is anchored by a pidfd
 * before anything of it is read from /proc, and the addon checks through that pidfd that it still
 * lives after opening the rest: so everything read here is of that same process, never of one that
 * was given its pid after it died. The caller closes the pidfd with releasePlan(). Every argument
 * was checked before (checkOptions): what this throws is a failure of the target (NsError).
 */
function makePlan(pid: number | NsError, o: CheckedOptions): Plan {
  if (pid instanceof NsError) throw pid;
  const pidfd = unwrap(binding().pidfdOpen(pid), { pid });
  try {
    const plan = readPlan(pid, o);
    plan.spec.pidfd = pidfd;
    return plan;
  } catch (err) {
    closeSync(pidfd);
    throw err;
  }
}

/** Closes the target's pidfd once the addon has had it (or will never get it). */
function releasePlan(plan: Plan): void {
  if (plan.spec.pidfd >= 0) closeSync(plan.spec.pidfd);
  plan.spec.pidfd = -1;
}

function readPlan(pid: number, o: CheckedOptions): Plan {
  const debug = o.debug;
  // Namespaces.
  const theirs = namespacesOf(pid);
  const ours = ownNamespaces();
  let wanted: NamespaceType[];
  // A zombie keeps its user and pid links but has no other namespace left to join: it exited.
  const gone = NAMESPACE_TYPES.find((t) => ours[t] && !theirs[t]);
  if (gone) throw NsError.fromErrno(3, { syscall: 'readlink', namespace: gone, pid, path: `/proc/${pid}/ns/${gone}`, hint: 'the target exited' });
  if (o.namespaces === 'all') {
    wanted = NAMESPACE_TYPES.filter((t) => theirs[t] && ours[t] && theirs[t]!.inode !== ours[t]!.inode && !(debug && (t === 'mnt' || t === 'user')));
  } else {
    wanted = [];
    for (const type of o.namespaces) {
      if (!theirs[type]) {
        // We have that type, so the target's link went away under us: it exited mid-read.
        if (ours[type]) throw NsError.fromErrno(3, { syscall: 'readlink', namespace: type, pid, path: `/proc/${pid}/ns/${type}`, hint: 'the target exited' });
        throw new NsError('ENOENT', `this kernel has no ${type} namespaces`, { namespace: type, pid, path: `/proc/${pid}/ns/${type}` });
      }
      // Re-entering our own user namespace is EINVAL; it would be a no-op anyway.
      if (type === 'user' && theirs.user!.inode === ours.user?.inode) continue;
      if (!wanted.includes(type)) wanted.push(type);
    }
  }
  const nsMask = wanted.reduce((m, t) => m | NAMESPACE_FLAGS[t], 0);
  const mnt = wanted.includes('mnt');
  const userJoined = wanted.includes('user');
  const root = o.root ?? mnt;
  const cwd = o.cwd;
  const cwdFromTarget = cwd === null && (mnt || root);

  // Credentials.
  let uid = -1, gid = -1, groups: number[] = [], setGroups = false, groupsOptional = false;
  if (o.user === 'target') {
    ({ uid, gid, groups } = targetIds(pid, userJoined));
    setGroups = true;
  } else if (o.user !== undefined) {
    ({ uid, gid, groups, groupsOptional } = o.user);
    setGroups = true;
  } else if (userJoined) {
    // As nsenter: become root of the joined user namespace, or exec would drop every capability.
    uid = 0; gid = 0; setGroups = true; groupsOptional = true;
  }

  // Environment, and the PATH the file is searched in (environment.ts: never the target's for a
  // host binary; debug's host programs get ours by default).
  const { envp, path: pathVar } = programEnvironment(pid, o.env, mnt || root, o.envSet);

  // Program: searched in the program's own PATH inside the target's view, as execvp would.
  const name = o.file;
  const execPaths = name.includes('/')
    ? [name]
    : pathVar.split(':').filter((d) => d.length > 0).map((d) => `${d.replace(/\/+$/, '')}/${name}`);
  if (execPaths.length === 0) execPaths.push(`/${name}`);

  // Privileges (credentials.ts): the target's for its own binaries, ours for host binaries.
  const privileges = checkPrivileges(o.privileges, mnt || root, wanted.includes('pid'));
  const cgroupProcs = o.joinCgroup ?? privileges === 'target' ? cgroupProcsFiles(pid, o.joinCgroup === undefined) : [];
  const sameUserNs = userJoined || theirs.user?.inode === ours.user?.inode;
  const creds = privileges === 'target' ? targetCredentials(pid, sameUserNs) : null;
  const k = kernelSupport();
  return {
    pid, stdio: [...o.stdio], joined: wanted, file: name, args: o.args, timeout: o.timeout, killSignal: o.killSignal, signal: o.signal, pty: o.pty,
    spec: {
      pid, pidfd: -1, nsMask, setnsPidfd: k.setnsPidfd, closeRange: k.closeRange,
      root, cwd, cwdFromTarget,
      verifyCwd: mnt || root,
      cwdFallbackToRoot: cwdFromTarget,
      // Debug mode sees the target's network devices in /sys as well as its processes in /proc.
      freshSysfs: o.freshSysfs || debug,
      freshProc: debug,
      setsid: o.setsid, ctty: o.ctty, dieWithParent: o.dieWithParent,
      uid, gid, setGroups, groupsOptional, groups, creds,
      stdio: [], cgroupProcs, argv: [o.argv0, ...o.args], envp, execPaths,
    },
  };
}

/** The target's effective ids; mapped into its user namespace when that is joined. */
function targetIds(pid: number, userJoined: boolean): { uid: number; gid: number; groups: number[] } {
  const status = readText(`/proc/${pid}/status`, pid);
  const field = (name: string) => status.match(new RegExp(`^${name}:\\s*(.*)$`, 'm'))?.[1]?.trim().split(/\s+/).filter(Boolean).map(Number) ?? [];
  let uid = field('Uid')[1] ?? -1, gid = field('Gid')[1] ?? -1;
  let groups = field('Groups');
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
  if (readText(`/proc/${pid}/cgroup`, pid) === readText('/proc/thread-self/cgroup')) return [];
  const where = cgroupOf(pid);
  if (byDefault && cgroupFrozen(where)) {
    throw new NsError('EBUSY', `the target's cgroup is frozen (a paused container) [pid ${pid}]; unpause it, or pass joinCgroup: false`, { pid });
  }
  const dirs = new Set(Object.values(where.controllers));
  if (where.unified !== undefined) dirs.add(where.unified);
  return [...dirs].map((dir) => `${dir}/cgroup.procs`);
}

/** Opens our ends and the program's ends of each stdio slot. */
function openStdio(stdio: StdioKind[]): { childFds: number[]; parentFds: Array<number | null>; toClose: number[] } {
  const childFds: number[] = [];
  const parentFds: Array<number | null> = [];
  const toClose: number[] = [];
  try {
    stdio.forEach((kind, i) => {
      if (kind === 'pipe') {
        const [r, w] = unwrap(binding().pipe());
        const ours = i === 0 ? w : r, theirs = i === 0 ? r : w;
        parentFds.push(ours);
        childFds.push(theirs);
        toClose.push(theirs);
      } else if (kind === 'ignore') {
        const fd = openSync('/dev/null', i === 0 ? 'r' : 'w');
        childFds.push(fd);
        toClose.push(fd);
        parentFds.push(null);
      } else {
        childFds.push(kind);
        parentFds.push(null);
      }
    });
  } catch (err) {
    for (const fd of [...toClose, ...parentFds]) if (fd !== null) closeSync(fd);
    throw err;
  }
  return { childFds, parentFds, toClose };
}

/**
 * Opens the stdio slots and starts the program through the addon; the program's ends are closed
 * in our process afterwards, and ours too if the addon throws.
 */
function startProgram(plan: Plan): { result: RawSpawnResult; parentFds: Array<number | null> } {
  const { childFds, parentFds, toClose } = openStdio(plan.stdio);
  plan.spec.stdio = childFds;
  try {
    return { result: binding().spawn(plan.spec), parentFds };
  } catch (err) {
    for (const fd of parentFds) if (fd !== null) closeSync(fd);
    throw err;
  } finally {
    for (const fd of toClose) closeSync(fd);
  }
}

const STEP_SYSCALL: Record<string, string> = {
  open_ns: 'open', open_root: 'open', open_cwd: 'open', open_cgroup: 'open', open_proc: 'open',
  cgroup: 'write', pidfd_send_signal: 'pidfd_open',
};

/** Turns the addon's {step, errno, arg} into an NsError that says what to do. */
function startError(plan: Plan, step: string, errno: number, arg: number): NsError {
  const pid = plan.pid;
  const nsOrder: NamespaceType[] = ['user', 'cgroup', 'ipc', 'uts', 'net', 'pid', 'mnt', 'time'];
  const details: { syscall: string; pid: number; namespace?: NamespaceType; path?: string; hint?: string } = {
    syscall: STEP_SYSCALL[step] ?? step, pid,
  };
  const perm = errno === 1 || errno === 13;
  switch (step) {
    case 'pidfd_open':
    case 'pidfd_send_signal':
      if (errno === 3) details.hint = 'the target process does not exist (or exited while nsjoin prepared)';
      break;
    case 'open_ns':
      details.namespace = nsOrder[arg];
      details.path = `/proc/${pid}/ns/${nsOrder[arg]}`;
      if (perm) details.hint = PTRACE_HINT;
      break;
    case 'open_root': details.path = `/proc/${pid}/root`; if (perm) details.hint = PTRACE_HINT; break;
    case 'open_cwd': details.path = `/proc/${pid}/cwd`; if (perm) details.hint = PTRACE_HINT; break;
    case 'open_cgroup':
    case 'cgroup':
      details.path = plan.spec.cgroupProcs[arg];
      if (perm) details.hint = 'joining a cgroup needs write access to its cgroup.procs (root, or a delegated cgroup)';
      break;
    case 'setns':
      if (arg >= 0) details.namespace = nsOrder[arg];
      else if (plan.joined.length === 1) details.namespace = plan.joined[0];
      if (perm) {
        details.hint = `joining namespaces (${details.namespace ?? plan.joined.join(', ')}) needs CAP_SYS_ADMIN` +
          `${plan.joined.includes('mnt') ? ' and CAP_SYS_CHROOT' : ''} in the target's user namespace and in ours; run as root`;
      }
      if (errno === 3) details.hint = 'the target exited before its namespaces were joined';
      break;
    case 'chroot': details.path = `/proc/${pid}/root`; if (perm) details.hint = 'chroot needs CAP_SYS_CHROOT'; break;
    case 'chdir': if (plan.spec.cwd !== null) details.path = plan.spec.cwd; break;
    case 'getcwd':
      if (plan.spec.cwd !== null) details.path = plan.spec.cwd;
      details.hint = errno === 18 ? 'the working directory is outside the target root' : 'the working directory is gone';
      break;
    case 'setgroups': case 'setgid': case 'setuid':
      if (perm) details.hint = `changing ids needs ${step === 'setuid' ? 'CAP_SETUID' : 'CAP_SETGID'}`;
      if (errno === 22) details.hint = 'the id is not mapped in the target user namespace';
      break;
    case 'capbset': case 'keepcaps': case 'capset': case 'ambient': case 'lsm': case 'no_new_privs':
      details.syscall = step === 'capset' ? 'capset' : step === 'lsm' ? 'write' : 'prctl';
      details.hint = step === 'lsm'
        ? "setting the target's LSM exec label failed (/proc/thread-self/attr)"
        : `taking the target's privileges failed at ${step}${arg >= 0 ? ` (capability ${arg})` : ''}${perm && step === 'capbset' ? ': it needs CAP_SETPCAP' : ''}`;
      break;
    case 'execve': details.path = plan.file; break;
    case 'clone':
      if (errno === 12) details.hint = "the target's pid namespace is shutting down (its init exited)";
      if (errno === 11) details.hint = "the target's cgroup may be at its pids.max";
      break;
  }
  return NsError.fromErrno(errno, details);
}

/** Node's error for IPC calls on a process without an IPC channel (as after disconnect()). */
function ipcError(code: 'ERR_IPC_CHANNEL_CLOSED' | 'ERR_IPC_DISCONNECTED'): Error {
  const msg = code === 'ERR_IPC_CHANNEL_CLOSED' ? 'Channel closed' : 'IPC channel is already disconnected';
  return Object.assign(new Error(msg), { code });
}

/**
 * A program started inside a target's namespaces. It behaves as Node's ChildProcess and is
 * assignable to it: `pid` is the program's host pid (undefined when it did not start), `kill()`
 * signals the program itself through a pidfd (never a stranger after reuse), and it emits
 * 'spawn', 'exit', 'close', 'error' in Node's order. It has no IPC channel.
 */
export class NsChildProcess extends EventEmitter {
  /** Host pid of the program; undefined if it failed to start. */
  pid: number | undefined;
  /** Writable end of the program's stdin, when stdio[0] is 'pipe'. */
  stdin: Writable | null = null;
  /** Readable end of the program's stdout, when stdio[1] is 'pipe'. */
  stdout: Readable | null = null;
  /** Readable end of the program's stderr, when stdio[2] is 'pipe'. */
  stderr: Readable | null = null;
  /** One entry per stdio slot: our stream for 'pipe' slots, else null (Node's tuple type). */
  readonly stdio = [] as unknown as [Writable | null, Readable | null, Readable | null, Readable | Writable | null | undefined, Readable | Writable | null | undefined];
  /** Exit status once exited normally; the negative errno after a start failure; else null. */
  exitCode: number | null = null;
  /** Signal name once killed by a signal, else null. */
  signalCode: NodeJS.Signals | null = null;
  /** True once kill() delivered a signal. */
  killed = false;
  /** Always false: there is no IPC channel. */
  readonly connected = false;
  /** The program as started (after `shell`). */
  readonly spawnfile: string;
  /** argv of the program, argv0 first. */
  readonly spawnargs: string[];
  /** The namespaces that were joined; empty until started. */
  namespaces: NamespaceType[] = [];

  #raw: RawChild | undefined;
  #exited = false;
  #openStreams = 0;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #abort: (() => void) | undefined;
  #signal: AbortSignal | undefined;
  #killSignal: number;
  #stdioKinds: StdioKind[];
  #ptyFd = -1;
  /** The start pipe until EOF: the program's execve is not known to have happened yet. */
  #starting: Socket | undefined;
  #startFailure: NsError | undefined;
  #exitBeforeStart: [number | null, number | null] | undefined;

  /** The master side of the program's terminal when spawned with `pty`, else null. What the
   *  program writes is read here (stdout and stderr alike); what is written here is its input. */
  pty: PtyStream | null = null;
  /** Which devpts the pty came from and its path in the program's view; null without `pty`. */
  ptyInfo: PtyInfo | null = null;

  /**
   * Sets the window size of the program's pty, in character cells; the program gets SIGWINCH.
   * @throws TypeError without a pty (or once it is closed); RangeError for sizes outside 1-65535.
   */
  resize(cols: number, rows: number): void {
    const size = checkPtySize({ cols, rows }, 'resize');
    if (this.#ptyFd < 0) throw new TypeError('resize: this program has no open pty');
    resizePty(this.#ptyFd, size);
  }

  /** @internal use spawn() */
  constructor(o: CheckedOptions) {
    super();
    this.spawnfile = o.file;
    this.spawnargs = [o.argv0, ...o.args];
    this.#killSignal = o.killSignal;
    this.#signal = o.signal;
    this.#stdioKinds = o.pty ? [] : o.stdio;
  }

  /** @internal Reads the target (prepare) and starts the program; every failure becomes 'error'. */
  _start(prepare: () => Plan): void {
    if (this.#signal?.aborted) {
      this.#attachStreams(pipesThatEnd(this.#stdioKinds));
      this.#failStart(abortError(this.#signal));
      return;
    }
    let plan: Plan | undefined;
    let result: RawSpawnResult | undefined;
    let parentFds: Array<number | null> = [];
    let pty: ReturnType<typeof openPtyFor> | undefined;
    try {
      plan = prepare();
      this.namespaces = plan.joined;
      if (plan.pty) {
        pty = openPtyFor(plan.spec.root || plan.joined.includes('mnt') ? plan.pid : 0, plan.pty);
        plan.stdio = [pty.slave, pty.slave, pty.slave];
      }
      ({ result, parentFds } = startProgram(plan));
    } catch (err) {
      if (pty) closeSync(pty.master);
      pty = undefined;
      // Not started at all: the caller still gets its streams, which end at once (as Node's do).
      parentFds = pipesThatEnd(this.#stdioKinds);
      this.#attachStreams(parentFds);
      this.#failStart(err as Error);
      return;
    } finally {
      if (pty) closeSync(pty.slave);
      if (plan) releasePlan(plan);
    }
    if (pty) {
      this.#ptyFd = pty.master;
      this.ptyInfo = pty.info;
      this.pty = ptyStream(pty.master);
      this.#openStreams++;
      this.pty.once('close', () => {
        this.#ptyFd = -1;
        this.#openStreams--;
        this.#maybeClose();
      });
    }
    this.#attachStreams(parentFds);
    if (!result.ok) {
      this.#failStart(startError(plan, result.step, result.errno, result.arg));
      return;
    }
    this.pid = result.pid;
    this.#raw = new (binding().Child)(result.pidfd);
    this.#raw.watch((code, sig) => this.#onExit(code, sig));
    this.#starting = watchStart(result.startFd, (failure) => this.#onStart(plan, failure));
    if (plan.timeout > 0) {
      this.#timer = setTimeout(() => {
        try { this.kill(this.#killSignal); } catch (err) { this.emit('error', err); }
      }, plan.timeout);
    }
    if (this.#signal) {
      const signal = this.#signal;
      // As Node: the AbortError comes only when the signal reached the program.
      this.#abort = () => { if (this.kill(this.#killSignal)) this.emit('error', abortError(signal)); };
      signal.addEventListener('abort', this.#abort, { once: true });
    }
  }

  // The start pipe reached EOF: 'spawn' once execve worked, else the failure as 'error' once the
  // program (it exits 127 right after its report) is reaped, so that no zombie outlives 'error';
  // its exit is not reported, as when nothing was started.
  #onStart(plan: Plan, failure: StartFailure | null): void {
    this.#starting = undefined;
    if (failure) {
      this.#startFailure = startError(plan, failure.step, failure.errno, failure.arg);
      this.#cleanup();
    } else {
      this.emit('spawn');
    }
    const early = this.#exitBeforeStart;
    this.#exitBeforeStart = undefined;
    if (early) this.#onExit(early[0], early[1]);
  }

  #attachStreams(parentFds: Array<number | null>): void {
    parentFds.forEach((fd, i) => { (this.stdio as unknown[])[i] = fd === null ? null : this.#stream(fd, i === 0); });
    this.stdin = this.stdio[0];
    this.stdout = this.stdio[1];
    this.stderr = this.stdio[2];
  }

  #stream(fd: number, writable: boolean): Readable | Writable {
    // No 'error' listener of ours: EPIPE on an unread stdin is the caller's to handle, as in Node.
    const s = new Socket({ fd, readable: !writable, writable });
    this.#openStreams++;
    s.once('close', () => {
      this.#openStreams--;
      this.#maybeClose();
    });
    return s;
  }

  #failStart(err: Error): void {
    // As child_process: 'error' asynchronously, no 'exit', then 'close' once the streams ended.
    this.#exited = true;
    const errno = (err as NodeJS.ErrnoException).errno;
    if (typeof errno === 'number' && errno < 0) this.exitCode = errno;
    if (err instanceof NsError || (err as NodeJS.ErrnoException).syscall !== undefined) {
      Object.assign(err, { spawnargs: this.spawnargs.slice(1) });
    }
    this.stdin?.destroy();
    process.nextTick(() => {
      this.emit('error', err);
      process.nextTick(() => this.#flushStdio());
      this.#maybeClose();
    });
  }

  #onExit(code: number | null, sig: number | null): void {
    if (this.#starting) {
      this.#exitBeforeStart = [code, sig];
      return;
    }
    const failure = this.#startFailure;
    if (failure) {
      // As child_process: a program that did not start has no pid (it was set while its start
      // was pending, so that kill() and timeouts reach it).
      this.pid = undefined;
      this.#failStart(failure);
      return;
    }
    this.#exited = true;
    this.exitCode = code;
    this.signalCode = sig === null ? null : (signalName(sig) as NodeJS.Signals);
    this.#cleanup();
    // As Node: stdin is destroyed (the program's end is closed), the unread outputs flushed.
    if (this.stdin && !this.stdin.destroyed) this.stdin.destroy();
    this.emit('exit', this.exitCode, this.signalCode);
    process.nextTick(() => this.#flushStdio());
    this.#maybeClose();
  }

  /** Reads to the end what nobody listens to (as Node's flushStdio), so that 'close' can come. */
  #flushStdio(): void {
    for (const s of [...this.stdio.slice(1), this.pty] as Array<Readable | null | undefined>) {
      if (!s || s.destroyed || !s.readable || s.listenerCount('data') > 0 || s.listenerCount('readable') > 0) continue;
      s.resume();
    }
  }

  #cleanup(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#abort) this.#signal?.removeEventListener('abort', this.#abort);
    this.#timer = undefined;
    this.#abort = undefined;
  }

  #maybeClose(): void {
    if (this.#closed || !this.#exited || this.#openStreams > 0) return;
    this.#closed = true;
    process.nextTick(() => this.emit('close', this.exitCode, this.signalCode));
  }

  /**
   * Sends a signal to the program itself (through its pidfd). Returns true when it was delivered,
   * false once it exited. Names in any case and numbers Node knows, as child_process.
   * @throws TypeError ERR_UNKNOWN_SIGNAL for anything else.
   */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    const num = signal === 0 ? 0 : toSignal(signal);
    if (!this.#raw || this.#exited) return false;
    const failure = this.#raw.kill(num);
    if (failure === undefined) {
      this.killed = true;
      return true;
    }
    if (failure.errno !== E.ESRCH) this.emit('error', nativeError(failure, { syscall: 'kill' }));
    return false;
  }

  /** kill('SIGTERM'), for `using`. */
  [Symbol.dispose](): void {
    if (!this.killed) this.kill();
  }

  /** Lets the event loop exit while the program runs; piped streams still hold it, as in Node. */
  unref(): void {
    this.#raw?.unref();
    this.#starting?.unref();
  }

  /** Undoes unref(). */
  ref(): void {
    this.#raw?.ref();
    this.#starting?.ref();
  }

  /** There is no IPC channel: as Node's send() on a closed channel (the error goes to the callback, else 'error'). */
  send(message: unknown, ...rest: unknown[]): boolean {
    const err = ipcError('ERR_IPC_CHANNEL_CLOSED');
    const cb = rest.find((r): r is (e: Error) => void => typeof r === 'function');
    process.nextTick(() => (cb ? cb(err) : this.emit('error', err)));
    return false;
  }

  /** There is no IPC channel: emits 'error' ERR_IPC_DISCONNECTED, as Node's disconnect() once disconnected. */
  disconnect(): void {
    this.emit('error', ipcError('ERR_IPC_DISCONNECTED'));
  }
}

/** The events of an NsChildProcess and their listeners, as ChildProcess declares them. */
export interface NsChildProcessEvents {
  close: (code: number | null, signal: NodeJS.Signals | null) => void;
  disconnect: () => void;
  error: (err: Error) => void;
  exit: (code: number | null, signal: NodeJS.Signals | null) => void;
  message: (message: unknown, sendHandle: unknown) => void;
  spawn: () => void;
}

// Typed events: each listener method takes a known event with its listener, or any other name.
type On<T> = {
  <E extends keyof NsChildProcessEvents>(event: E, listener: NsChildProcessEvents[E]): T;
  (event: string | symbol, listener: (...args: any[]) => void): T;
};
export interface NsChildProcess {
  addListener: On<this>;
  on: On<this>;
  once: On<this>;
  prependListener: On<this>;
  prependOnceListener: On<this>;
  emit<E extends keyof NsChildProcessEvents>(event: E, ...args: Parameters<NsChildProcessEvents[E]>): boolean;
  emit(event: string | symbol, ...args: any[]): boolean;
}

/** Our ends of pipes whose other ends are closed at once: streams for a program that never started. */
function pipesThatEnd(kinds: StdioKind[]): Array<number | null> {
  try {
    const { parentFds, toClose } = openStdio(kinds);
    for (const fd of toClose) closeSync(fd);
    return parentFds;
  } catch {
    return kinds.map(() => null);   // out of fds: no streams, the 'error' still comes
  }
}

/** Node's AbortError (internal to Node): the same class name, name, code and message. */
class AbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(options?: ErrorOptions) {
    super('The operation was aborted', options);
    this.name = 'AbortError';
  }
}

function abortError(signal: AbortSignal): Error {
  return new AbortError({ cause: signal.reason });
}

/**
 * Starts `file` with `args` inside the namespaces of `target` (see JoinOptions) and returns at
 * once, like child_process.spawn (also `spawn(target, file, options)`).
 * @throws TypeError/RangeError for bad arguments, synchronously (nothing is started).
 * Every other failure (no such target or container, no ptrace access, ENOENT for a missing
 * program, EPERM without privilege, ...) is emitted as 'error', as child_process does.
 */
export function spawn(target: Target, file: string, options?: JoinOptions): NsChildProcess;
export function spawn(target: Target, file: string, args?: readonly string[], options?: JoinOptions): NsChildProcess;
export function spawn(target: Target, file: string, args?: readonly string[] | JoinOptions, options?: JoinOptions): NsChildProcess {
  const a = splitArguments(args, options);
  const checked = checkOptions('spawn', file, a.args, a.options);
  const pid = targetPid(target);
  const child = new NsChildProcess(checked);
  child._start(() => makePlan(pid, checked));
  return child;
}

/**
 * The error execFile rejects with (assignable to Node's ExecFileException): a non-zero exit or a
 * kill (`code` = exit status or null, `signal`, `killed`), a start failure (the NsError, `code` =
 * 'ENOENT', ...), an AbortError, or maxBuffer's RangeError; always with `cmd`, `stdout`, `stderr`.
 */
export interface ExecFileError<T extends string | Buffer = string> extends Error {
  /** Exit status (null when killed by a signal), or the start failure's code. */
  code?: number | string | null;
  /** Signal that ended it (null at runtime when none, as Node; typed as Node types it). */
  signal?: NodeJS.Signals;
  stdout?: T;
  stderr?: T;
  /** Whether it was killed by us (timeout, abort, maxBuffer). */
  killed?: boolean;
  /** file and args joined by spaces. */
  cmd?: string;
  errno?: number;
  syscall?: string;
  path?: string;
  /** The arguments of a program that did not start. */
  spawnargs?: string[];
}

/** A Promise with the running program on it, as Node's PromiseWithChild. */
export interface PromiseWithChild<T> extends Promise<T> {
  child: NsChildProcess;
}

type Output<E> = E extends null | 'buffer' ? Buffer : string;
type ExecCallback<T> = (error: ExecFileError<T & (string | Buffer)> | null, stdout: T, stderr: T) => void;

/**
 * Runs a program inside the target and buffers its output, like
 * `util.promisify(child_process.execFile)` (also `util.promisify(execFile)` itself): rejects on
 * a non-zero exit or a kill (`code` = the exit status or null, `signal`, `killed`), on a start
 * failure (the NsError: ENOENT, ESRCH, ...), on abort, and when output passes maxBuffer
 * (RangeError ERR_CHILD_PROCESS_STDIO_MAXBUFFER); the error carries `cmd`, `stdout`, `stderr`.
 * The promise has the program on `.child`. Given a callback last, it is called as Node's
 * `(error, stdout, stderr)` and the NsChildProcess is returned.
 * @throws TypeError/RangeError synchronously for bad arguments.
 */
export function execFile<O extends ExecFileOptions & { encoding: 'buffer' | null }>(target: Target, file: string, args: readonly string[] | null | undefined, options: O): PromiseWithChild<{ stdout: Buffer; stderr: Buffer }>;
export function execFile<O extends ExecFileOptions & { encoding: 'buffer' | null }>(target: Target, file: string, options: O): PromiseWithChild<{ stdout: Buffer; stderr: Buffer }>;
export function execFile(target: Target, file: string, args?: readonly string[] | null, options?: (ExecFileOptions & { encoding?: BufferEncoding }) | null): PromiseWithChild<{ stdout: string; stderr: string }>;
export function execFile(target: Target, file: string, options: (ExecFileOptions & { encoding?: BufferEncoding }) | null): PromiseWithChild<{ stdout: string; stderr: string }>;
export function execFile(target: Target, file: string, args: readonly string[] | null | undefined, options: ExecFileOptions | null | undefined): PromiseWithChild<{ stdout: string | Buffer; stderr: string | Buffer }>;
export function execFile<O extends ExecFileOptions & { encoding: 'buffer' | null }>(target: Target, file: string, args: readonly string[] | null | undefined, options: O, callback: ExecCallback<Buffer>): NsChildProcess;
export function execFile(target: Target, file: string, args: readonly string[] | null | undefined, options: (ExecFileOptions & { encoding?: BufferEncoding }) | null | undefined, callback: ExecCallback<string>): NsChildProcess;
export function execFile(target: Target, file: string, args: readonly string[] | null | undefined, options: ExecFileOptions | null | undefined, callback: ExecCallback<string | Buffer>): NsChildProcess;
export function execFile(target: Target, file: string, args: readonly string[] | null | undefined, callback: ExecCallback<string>): NsChildProcess;
export function execFile(target: Target, file: string, callback: ExecCallback<string>): NsChildProcess;
export function execFile(target: Target, file: string, ...rest: unknown[]): PromiseWithChild<{ stdout: string | Buffer; stderr: string | Buffer }> | NsChildProcess {
  const a = splitArguments(rest[0], rest[1], rest[2]);
  if (a.callback !== undefined && a.callback !== null && typeof a.callback !== 'function') {
    throw Object.assign(new TypeError('callback must be a function'), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  const checked = checkOptions('execFile', file, a.args, a.options);
  const pid = targetPid(target);
  const { child, done } = runExecFile(pid, checked, (a.args ?? []) as string[]);
  if (typeof a.callback === 'function') {
    const cb = a.callback as ExecCallback<string | Buffer>;
    done.then(({ stdout, stderr }) => cb(null, stdout, stderr), (e: ExecFileError<string | Buffer>) => {
      // As Node's callback: the outputs are its arguments, not fields of the error.
      const { stdout, stderr } = e;
      delete e.stdout;
      delete e.stderr;
      cb(e, stdout!, stderr!);
    });
    return child;
  }
  return Object.assign(done, { child });
}
// util.promisify(execFile) is execFile itself (it already returns a promise); the type says so
// the way Node's own types say it for child_process.execFile.
Object.defineProperty(execFile, promisify.custom, { value: execFile, enumerable: false, writable: false, configurable: true });
export declare namespace execFile {
  /** The type of `util.promisify(execFile)`: the promise forms of execFile. */
  const __promisify__: {
    <O extends ExecFileOptions & { encoding: 'buffer' | null }>(target: Target, file: string, args: readonly string[] | null | undefined, options: O): PromiseWithChild<{ stdout: Buffer; stderr: Buffer }>;
    (target: Target, file: string, args?: readonly string[] | null, options?: (ExecFileOptions & { encoding?: BufferEncoding }) | null): PromiseWithChild<{ stdout: string; stderr: string }>;
    (target: Target, file: string, args: readonly string[] | null | undefined, options: ExecFileOptions | null | undefined): PromiseWithChild<{ stdout: string | Buffer; stderr: string | Buffer }>;
  };
}

/** execFile's core: starts the program, collects its output, settles as Node's execFile callback does. */
function runExecFile(pid: number | NsError, o: CheckedOptions, args: string[]): { child: NsChildProcess; done: Promise<{ stdout: string | Buffer; stderr: string | Buffer }> } {
  const child = new NsChildProcess({ ...o, timeout: 0 });
  const cmd = [o.file, ...args].join(' ');
  const done = new Promise<{ stdout: string | Buffer; stderr: string | Buffer }>((resolve, reject) => {
    const out: Buffer[] = [], err: Buffer[] = [];
    let outLen = 0, errLen = 0, ex: Error | undefined, killed = false, settled = false, timer: NodeJS.Timeout | undefined;
    const decode = (chunks: Buffer[]) => (o.encoding === undefined ? Buffer.concat(chunks) : Buffer.concat(chunks).toString(o.encoding));
    const kill = () => {
      child.stdout?.destroy();
      child.stderr?.destroy();
      killed = true;
      try { child.kill(o.killSignal); } catch (e) { ex = e as Error; settle(null, null); }
    };
    const settle = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      const stdout = decode(out), stderr = decode(err);
      if (!ex && code === 0 && signal === null) return resolve({ stdout, stderr });
      const e = (ex ?? Object.assign(new Error(`Command failed: ${cmd}\n${stderr.toString()}`), { code, killed: child.killed || killed, signal })) as ExecFileError<string | Buffer>;
      reject(Object.assign(e, { cmd, stdout, stderr }));
    };
    child.on('error', (e) => {
      ex = e;
      child.stdout?.destroy();
      child.stderr?.destroy();
      settle(null, null);
    });
    child.on('close', (code, signal) => settle(code, signal));
    child._start(() => makePlan(pid, o));
    const collect = (stream: Readable | null, chunks: Buffer[], which: 'stdout' | 'stderr') => {
      stream?.on('data', (b: Buffer) => {
        const len = which === 'stdout' ? (outLen += b.length) : (errLen += b.length);
        if (len > o.maxBuffer) {
          chunks.push(b.subarray(0, b.length - (len - o.maxBuffer)));
          ex = Object.assign(new RangeError(`${which} maxBuffer length exceeded`), { code: 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' });
          kill();
        } else chunks.push(b);
      });
    };
    collect(child.stdout, out, 'stdout');
    collect(child.stderr, err, 'stderr');
    if (child.stdin) {
      // Our own write: a program that exits without reading its input is not an error (EPIPE).
      child.stdin.on('error', () => {});
      child.stdin.end(o.input);
    }
    if (o.timeout > 0 && child.pid !== undefined) timer = setTimeout(kill, o.timeout);
  });
  return { child, done };
}

/** What spawnSync returns, as child_process.spawnSync. */
export interface SpawnSyncResult<T extends string | Buffer = Buffer> {
  /** Host pid of the program; 0 when it did not start. */
  pid: number;
  /** Per stdio slot: the collected output of piped slots 1 and up, else null; null when not started. */
  output: Array<T | null> | null;
  /** output[1]: null when stdout was not a pipe or the program did not start. */
  stdout: T | null;
  /** output[2]. */
  stderr: T | null;
  /** Exit status, or null when killed by a signal or not started. */
  status: number | null;
  signal: NodeJS.Signals | null;
  /** The start failure (NsError), or ETIMEDOUT / ENOBUFS; with `path` and `spawnargs` as Node's. */
  error?: Error;
}

/**
 * Runs a program inside the target and waits for it, blocking the event loop, like
 * child_process.spawnSync. Every failure after argument checks (no such target, start failures,
 * timeouts, maxBuffer overruns) is reported in `error`, not thrown.
 * @throws TypeError/RangeError for bad arguments.
 */
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

export function spawnSync(target: Target, file: string, args: readonly string[] | null | undefined, options: SpawnSyncOptions & { encoding: BufferEncoding }): SpawnSyncResult<string>;
export function spawnSync(target: Target, file: string, options: SpawnSyncOptions & { encoding: BufferEncoding }): SpawnSyncResult<string>;
export function spawnSync(target: Target, file: string, args?: readonly string[] | null, options?: SpawnSyncOptions & { encoding?: 'buffer' | null }): SpawnSyncResult<Buffer>;
export function spawnSync(target: Target, file: string, options: SpawnSyncOptions & { encoding?: 'buffer' | null }): SpawnSyncResult<Buffer>;
export function spawnSync(target: Target, file: string, args?: readonly string[] | null, options?: SpawnSyncOptions): SpawnSyncResult<string | Buffer>;
export function spawnSync(target: Target, file: string, args?: readonly string[] | null | SpawnSyncOptions, options?: SpawnSyncOptions): SpawnSyncResult<string | Buffer> {
  const a = splitArguments(args, options);
  const o = checkOptions('spawnSync', file, a.args, a.options);
  const pid = targetPid(target);
  const decode = (b: Buffer) => (o.encoding === undefined ? b : b.toString(o.encoding));
  const failed = (error: Error): SpawnSyncResult<string | Buffer> => {
    Object.assign(error, { path: o.file, spawnargs: o.args });
    // As the running Node's own spawnSync: `output && output[1]` (null) up to Node 20,
    // `output?.[1]` (undefined) from Node 22 on.
    const none = NODE_MAJOR >= 22 ? undefined : null;
    return { error, status: null, signal: null, output: null, pid: 0, stdout: none as null, stderr: none as null };
  };
  if (o.signal?.aborted) return failed(abortError(o.signal));
  let plan: Plan;
  let result: RawSpawnResult;
  let parentFds: Array<number | null>;
  try {
    plan = makePlan(pid, o);
  } catch (err) {
    return failed(err as Error);
  }
  try {
    ({ result, parentFds } = startProgram(plan));
  } catch (err) {
    return failed(err as Error);
  } finally {
    releasePlan(plan);
  }
  if (!result.ok) {
    for (const fd of parentFds) if (fd !== null) closeSync(fd);
    return failed(startError(plan, result.step, result.errno, result.arg));
  }
  const raw = new (binding().Child)(result.pidfd);
  // Slots beyond stdin that we read; other slots' fds are closed by the wait loop too.
  const outFds = parentFds.map((fd, i) => (i === 0 ? -1 : fd ?? -1));
  const r = raw.waitSync({
    stdinFd: parentFds[0] ?? -1,
    ...(o.input === undefined ? {} : { input: Buffer.from(o.input.buffer, o.input.byteOffset, o.input.byteLength) }),
    outFds,
    timeoutMs: plan.timeout,
    killSignal: plan.killSignal,
    maxBuffer: o.maxBuffer,
  });
  // The program has exited: no writer of the start pipe is left, so this read cannot wait.
  const notStarted = readStartSync(result.startFd);
  if (notStarted) return failed(startError(plan, notStarted.step, notStarted.errno, notStarted.arg));
  const output = outFds.map((fd, i) => (fd < 0 ? null : decode(r.outputs[i]!)));
  const res: SpawnSyncResult<string | Buffer> = {
    status: r.code,
    signal: r.signal === null ? null : (signalName(r.signal) as NodeJS.Signals),
    output,
    pid: result.pid,
    stdout: output[1] ?? null,
    stderr: output[2] ?? null,
  };
  const failure = r.timedOut ? 110 : r.overflow ? 105 : 0;
  if (failure) {
    res.error = Object.assign(NsError.fromErrno(failure, { syscall: `spawnSync ${o.file}`, path: o.file, pid: plan.pid }), { spawnargs: o.args });
  }
  return res;
}
