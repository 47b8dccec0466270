// spawn / execFile / spawnSync into the namespaces of another process. This module validates the
// options, works out the plan (which namespaces, root, cwd, ids, env, fds) from the host's view,
// and hands it to the addon, which does the clone/setns/exec part (native/spawn.cc).
import { EventEmitter } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants as osConstants, release } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { binding, type RawChild, type RawSpawnResult, type RawSpawnSpec } from './binding.js';
import { cgroupOf } from './cgroup/locate.js';
import { checkPtySize, openPtyFor, ptyStream, resizePty, type PtyInfo, type PtySize, type PtyStream } from './pty.js';
import { NsError, PTRACE_HINT } from './errors.js';
import { readText } from './io.js';
import { unwrap } from './native-error.js';
import { parseEnviron } from './parse/environ.js';
import { idMapper } from './parse/id-map.js';
import { NAMESPACE_FLAGS, NAMESPACE_TYPES, namespacesOf, ownNamespaces, type NamespaceType } from './namespaces.js';
import { describe, resolveTarget, type Target } from './targets.js';

/** One stdio slot: a pipe to us, our own fd of that number, /dev/null, or a given fd of ours. */
export type StdioEntry = 'pipe' | 'inherit' | 'ignore' | number | null | undefined;

/** How to join a target; see docs/architecture.md. Every field is optional. */
export interface JoinOptions {
  /** Namespaces to join. Default 'all': each namespace of the target that differs from ours (nsenter -a). */
  namespaces?: NamespaceType[] | 'all';
  /** chroot to the target's root (/proc/PID/root). Default: true when 'mnt' is joined. */
  root?: boolean;
  /** Working directory, in the target's view. Default: the target's own cwd when mnt is joined (or
   *  root is set), falling back to its root if that cwd is gone or outside its root; else process.cwd(). */
  cwd?: string;
  /** Credentials. Default: keep ours (uid 0 inside when the user namespace is joined, as nsenter);
   *  'target' = the target's effective uid, gid and groups; or explicit ids (in the target's user
   *  namespace when it is joined). Supplementary groups default to none when ids are given. */
  user?: 'target' | { uid: number; gid: number; groups?: number[] };
  /** Environment. Default 'target': the target's /proc/PID/environ; 'inherit': ours; or an object. */
  env?: Record<string, string | undefined> | 'target' | 'inherit';
  /** The program joins the target's cgroup in every hierarchy (v1, v2, hybrid) before exec. */
  joinCgroup?: boolean;
  /** As child_process: 'pipe' (default), 'inherit', 'ignore', or one entry per fd. */
  stdio?: 'pipe' | 'inherit' | 'ignore' | StdioEntry[];
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
export interface ExecFileOptions extends Omit<JoinOptions, 'stdio'> {
  /** Written to the program's stdin, which is then closed. */
  input?: string | Uint8Array;
  /** 'utf8' by default; 'buffer' resolves Buffers. */
  encoding?: BufferEncoding | 'buffer';
  /** Largest stdout or stderr in bytes before the program is killed. Default 1 MiB, as Node. */
  maxBuffer?: number;
}

/** Options of `spawnSync`. */
export interface SpawnSyncOptions extends JoinOptions {
  input?: string | Uint8Array;
  /** 'buffer' by default (as Node); any other encoding turns stdout and stderr into strings. */
  encoding?: BufferEncoding | 'buffer';
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
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const MAX_ID = 0xfffffffe;

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

function signalNumber(sig: unknown, what: string): number {
  if (typeof sig === 'number') {
    if (!Number.isInteger(sig) || sig < 0 || sig > 64) throw new RangeError(`${what} must be a signal number 0-64, got ${sig}`);
    return sig;
  }
  if (typeof sig === 'string') {
    const num = (osConstants.signals as Record<string, number>)[sig];
    if (num === undefined) throw new TypeError(`${what}: unknown signal ${describe(sig)}`);
    return num;
  }
  throw new TypeError(`${what} must be a signal name or number, got ${describe(sig)}`);
}

function checkString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string, got ${describe(value)}`);
  if (value.includes('\0')) throw new TypeError(`${what} must not contain NUL bytes`);
  return value;
}

function checkId(value: unknown, what: string): number {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < 0 || value > MAX_ID) throw new RangeError(`${what} must be an integer 0-${MAX_ID}, got ${value}`);
  return value;
}

const KNOWN_OPTIONS = new Set([
  'namespaces', 'root', 'cwd', 'user', 'env', 'joinCgroup', 'stdio', 'signal', 'timeout', 'killSignal', 'argv0',
  'input', 'encoding', 'maxBuffer', 'debug', 'freshSysfs', 'ctty', 'pty', 'dieWithParent',
]);

interface Plan {
  pid: number;
  spec: RawSpawnSpec;
  /** What each stdio slot is, after defaults. */
  stdio: Array<'pipe' | 'inherit' | 'ignore' | number>;
  joined: NamespaceType[];
  file: string;
  args: string[];
  timeout: number;
  killSignal: number;
  signal: AbortSignal | undefined;
  pty: { cols: number; rows: number } | null;
}

/**
 * Validates everything and reads the target; starts nothing. The target is anchored by a pidfd
 * before anything of it is read from /proc, and the addon checks through that pidfd that it still
 * lives after opening the rest: so everything read here is of that same process, never of one that
 * was given its pid after it died. The caller closes the pidfd with releasePlan().
 */
function makePlan(target: unknown, file: unknown, args: unknown, options: unknown, forceStdio?: StdioEntry[]): Plan {
  const pid = resolveTarget(target);
  const pidfd = unwrap(binding().pidfdOpen(pid), { pid });
  try {
    const plan = readPlan(pid, file, args, options, forceStdio);
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

function readPlan(pid: number, file: unknown, args: unknown, options: unknown, forceStdio?: StdioEntry[]): Plan {
  checkString(file, 'file');
  if ((file as string).length === 0) throw new TypeError('file must not be empty');
  if (args === undefined || args === null) args = [];
  if (!Array.isArray(args)) throw new TypeError(`args must be an array of strings, got ${describe(args)}`);
  (args as unknown[]).forEach((a, i) => checkString(a, `args[${i}]`));
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`options must be an object, got ${describe(options)}`);
  const o = options as InternalJoinOptions & ExecFileOptions;
  for (const key of Object.keys(o)) if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`unknown option ${describe(key)}`);

  if (o.debug !== undefined && typeof o.debug !== 'boolean') throw new TypeError(`debug must be a boolean, got ${describe(o.debug)}`);
  const debug = o.debug === true;
  // The program's root is the host's filesystem: it must stay out of the target's mount namespace,
  // and out of its user namespace, whose root could otherwise ptrace it and reach the host's files
  // through /proc/PID/root. In our user namespace, with our capabilities, the container cannot.
  if (debug && (o.root === true || (Array.isArray(o.namespaces) && (o.namespaces.includes('mnt') || o.namespaces.includes('user'))))) {
    throw new TypeError("debug runs the host's programs: it cannot join the target's mount or user namespace (no 'mnt' or 'user', no root: true)");
  }

  // Namespaces.
  const theirs = namespacesOf(pid);
  const ours = ownNamespaces();
  let wanted: NamespaceType[];
  if (o.namespaces === undefined || o.namespaces === 'all') {
    wanted = NAMESPACE_TYPES.filter((t) => theirs[t] && ours[t] && theirs[t]!.inode !== ours[t]!.inode && !(debug && (t === 'mnt' || t === 'user')));
  } else if (Array.isArray(o.namespaces)) {
    wanted = [];
    for (const t of o.namespaces as unknown[]) {
      if (typeof t !== 'string' || !(NAMESPACE_TYPES as readonly string[]).includes(t)) {
        throw new TypeError(`namespaces: unknown namespace ${describe(t)} (expected ${NAMESPACE_TYPES.join(', ')})`);
      }
      const type = t as NamespaceType;
      if (!theirs[type]) {
        // We have that type, so the target's link went away under us: it exited mid-read.
        if (ours[type]) throw NsError.fromErrno(3, { syscall: 'readlink', namespace: type, pid, path: `/proc/${pid}/ns/${type}`, hint: 'the target exited' });
        throw new NsError('ENOENT', `this kernel has no ${type} namespaces`, { namespace: type, pid, path: `/proc/${pid}/ns/${type}` });
      }
      // Re-entering our own user namespace is EINVAL; it would be a no-op anyway.
      if (type === 'user' && theirs.user!.inode === ours.user?.inode) continue;
      if (!wanted.includes(type)) wanted.push(type);
    }
  } else {
    throw new TypeError(`namespaces must be 'all' or an array of namespace names, got ${describe(o.namespaces)}`);
  }
  const nsMask = wanted.reduce((m, t) => m | NAMESPACE_FLAGS[t], 0);
  const mnt = wanted.includes('mnt');
  const userJoined = wanted.includes('user');

  if (o.root !== undefined && typeof o.root !== 'boolean') throw new TypeError(`root must be a boolean, got ${describe(o.root)}`);
  const root = o.root ?? mnt;
  let cwd: string | null = null;
  if (o.cwd !== undefined) {
    cwd = checkString(o.cwd, 'cwd');
    if (cwd.length === 0) throw new TypeError('cwd must not be empty');
  }
  const cwdFromTarget = cwd === null && (mnt || root);

  // Credentials.
  let uid = -1, gid = -1, groups: number[] = [], setGroups = false, groupsOptional = false;
  if (o.user === 'target') {
    const ids = targetIds(pid, userJoined);
    ({ uid, gid, groups } = ids);
    setGroups = true;
  } else if (o.user !== undefined) {
    if (o.user === null || typeof o.user !== 'object' || Array.isArray(o.user)) {
      throw new TypeError(`user must be 'target' or { uid, gid, groups? }, got ${describe(o.user)}`);
    }
    uid = checkId(o.user.uid, 'user.uid');
    gid = checkId(o.user.gid, 'user.gid');
    if (o.user.groups !== undefined) {
      if (!Array.isArray(o.user.groups)) throw new TypeError(`user.groups must be an array, got ${describe(o.user.groups)}`);
      if (o.user.groups.length > 65536) throw new RangeError('user.groups: at most 65536 groups');
      groups = o.user.groups.map((g, i) => checkId(g, `user.groups[${i}]`));
    }
    setGroups = true;
  } else if (userJoined) {
    // As nsenter: become root of the joined user namespace, or exec would drop every capability.
    uid = 0; gid = 0; setGroups = true; groupsOptional = true;
  }

  // Environment.
  let envp: string[];
  let pathVar: string | undefined;
  // Debug mode runs host programs: the target's environment (its PATH, LD_PRELOAD) stays out.
  const envChoice = o.env ?? (debug ? 'inherit' : 'target');
  if (envChoice === 'target') {
    const path = `/proc/${pid}/environ`;
    let text: string;
    try {
      text = readText(path, pid);
    } catch (err) {
      const e = err as NsError;
      if (e.code === 'EACCES' || e.code === 'EPERM') {
        throw NsError.fromErrno(13, { syscall: 'open', path, pid, hint: 'reading the target environment needs ptrace read access; or pass env' });
      }
      throw e;
    }
    envp = parseEnviron(text);
    pathVar = envp.find((kv) => kv.startsWith('PATH='))?.slice(5);
  } else if (envChoice === 'inherit') {
    envp = Object.entries(process.env).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
    pathVar = process.env.PATH;
  } else if (o.env !== null && typeof o.env === 'object' && !Array.isArray(o.env)) {
    envp = [];
    for (const [k, v] of Object.entries(o.env)) {
      if (v === undefined) continue;
      if (k.length === 0 || k.includes('=') || k.includes('\0')) throw new TypeError(`env: bad variable name ${describe(k)}`);
      checkString(v, `env.${k}`);
      envp.push(`${k}=${v}`);
      if (k === 'PATH') pathVar = v;
    }
  } else {
    throw new TypeError(`env must be 'target', 'inherit' or an object of strings, got ${describe(o.env)}`);
  }

  // Program: searched in the program's own PATH inside the target's view, as execvp would.
  const name = file as string;
  const execPaths = name.includes('/')
    ? [name]
    : (pathVar ?? DEFAULT_PATH).split(':').filter((d) => d.length > 0).map((d) => `${d.replace(/\/+$/, '')}/${name}`);
  if (execPaths.length === 0) execPaths.push(`/${name}`);
  const argv0 = o.argv0 === undefined ? name : checkString(o.argv0, 'argv0');

  // stdio.
  const stdio = normaliseStdio(forceStdio ?? o.stdio);

  if (o.joinCgroup !== undefined && typeof o.joinCgroup !== 'boolean') throw new TypeError(`joinCgroup must be a boolean, got ${describe(o.joinCgroup)}`);
  const cgroupProcs = o.joinCgroup ? cgroupProcsFiles(pid) : [];

  let signal: AbortSignal | undefined;
  if (o.signal !== undefined) {
    const s = o.signal as unknown;
    if (s === null || typeof s !== 'object' || typeof (s as AbortSignal).aborted !== 'boolean' || typeof (s as AbortSignal).addEventListener !== 'function') {
      throw new TypeError(`signal must be an AbortSignal, got ${describe(s)}`);
    }
    signal = s as AbortSignal;
  }
  let timeout = 0;
  if (o.timeout !== undefined) {
    if (typeof o.timeout !== 'number') throw new TypeError(`timeout must be a number, got ${describe(o.timeout)}`);
    if (!Number.isFinite(o.timeout) || o.timeout < 0 || o.timeout > 2 ** 31 - 1) throw new RangeError(`timeout must be 0 to 2^31-1 ms, got ${o.timeout}`);
    timeout = Math.floor(o.timeout);
  }
  const killSignal = o.killSignal === undefined ? osConstants.signals.SIGTERM : signalNumber(o.killSignal, 'killSignal');
  if (o.freshSysfs !== undefined && typeof o.freshSysfs !== 'boolean') throw new TypeError('freshSysfs must be a boolean');
  let pty: Plan['pty'] = null;
  if (o.pty !== undefined && o.pty !== false) {
    if (forceStdio || o.stdio !== undefined) throw new TypeError('pty is for spawn() only and replaces stdio');
    pty = checkPtySize(o.pty, 'pty');
  }
  let ctty = pty ? 0 : -1;
  if (o.ctty !== undefined) {
    if (!Number.isInteger(o.ctty) || o.ctty < 0 || o.ctty >= stdio.length) throw new RangeError('ctty must be a stdio index');
    ctty = o.ctty;
  }

  const k = kernelSupport();
  return {
    pid, stdio, joined: wanted, file: name, args: args as string[], timeout, killSignal, signal, pty,
    spec: {
      pid, pidfd: -1, nsMask, setnsPidfd: k.setnsPidfd, closeRange: k.closeRange,
      // Joining a time namespace is refused to a process that shares its memory (EUSERS).
      forkMode: wanted.includes('time'),
      root, cwd, cwdFromTarget,
      verifyCwd: mnt || root,
      cwdFallbackToRoot: cwdFromTarget,
      // Debug mode sees the target's network devices in /sys as well as its processes in /proc.
      freshSysfs: o.freshSysfs === true || debug,
      freshProc: debug,
      setsid: ctty >= 0, ctty, dieWithParent: o.dieWithParent === true,
      uid, gid, setGroups, groupsOptional, groups,
      stdio: [], cgroupProcs, argv: [argv0, ...(args as string[])], envp, execPaths,
    },
  };
}

function normaliseStdio(value: unknown): Array<'pipe' | 'inherit' | 'ignore' | number> {
  if (value === undefined || value === null) return ['pipe', 'pipe', 'pipe'];
  if (value === 'pipe' || value === 'inherit' || value === 'ignore') return [value, value, value];
  if (!Array.isArray(value)) throw new TypeError(`stdio must be 'pipe', 'inherit', 'ignore' or an array, got ${describe(value)}`);
  if (value.length > 1024) throw new RangeError('stdio: at most 1024 entries');
  const out: Array<'pipe' | 'inherit' | 'ignore' | number> = [];
  for (let i = 0; i < Math.max(3, value.length); i++) {
    const e: unknown = value[i];
    if (e === undefined || e === null) out.push(i < 3 ? 'pipe' : 'ignore');
    else if (e === 'pipe' || e === 'inherit' || e === 'ignore') out.push(e);
    else if (typeof e === 'number' && Number.isInteger(e) && e >= 0 && e <= 0x7fffffff) out.push(e);
    else throw new TypeError(`stdio[${i}] must be 'pipe', 'inherit', 'ignore' or an fd number, got ${describe(e)}`);
  }
  return out;
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

/** The cgroup.procs file of every hierarchy the target is in (v1 controllers, named, cgroup2). */
function cgroupProcsFiles(pid: number): string[] {
  const where = cgroupOf(pid);
  const dirs = new Set(Object.values(where.controllers));
  if (where.unified !== undefined) dirs.add(where.unified);
  return [...dirs].map((dir) => `${dir}/cgroup.procs`);
}

/** Opens our ends and the program's ends of each stdio slot. */
function openStdio(stdio: Plan['stdio']): { childFds: number[]; parentFds: Array<number | null>; toClose: number[] } {
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
        childFds.push(kind === 'inherit' ? i : kind);
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
    case 'execve': details.path = plan.file; break;
    case 'clone':
      if (errno === 12) details.hint = "the target's pid namespace is shutting down (its init exited)";
      if (errno === 11) details.hint = "the target's cgroup may be at its pids.max";
      break;
  }
  return NsError.fromErrno(errno, details);
}

/**
 * A program started inside a target's namespaces. It behaves as Node's ChildProcess: `pid` is the
 * program's host pid (undefined when it did not start), `kill()` signals the program itself
 * through a pidfd (never a stranger after reuse), and it emits 'spawn', 'exit', 'close', 'error'.
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
  /** One entry per stdio slot: our stream for 'pipe' slots, else null. */
  stdio: Array<Readable | Writable | null> = [];
  /** Exit status once exited normally, else null. */
  exitCode: number | null = null;
  /** Signal name once killed by a signal, else null. */
  signalCode: NodeJS.Signals | null = null;
  /** True once kill() delivered a signal. */
  killed = false;
  /** The program as given. */
  readonly spawnfile: string;
  /** argv of the program. */
  readonly spawnargs: string[];
  /** The namespaces that were joined. */
  readonly namespaces: NamespaceType[];

  #raw: RawChild | undefined;
  #exited = false;
  #openStreams = 0;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #abort: (() => void) | undefined;
  #signal: AbortSignal | undefined;
  #killSignal: number;
  #ptyFd = -1;

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
  constructor(plan: Plan) {
    super();
    this.spawnfile = plan.file;
    this.spawnargs = plan.spec.argv;
    this.namespaces = plan.joined;
    this.#killSignal = plan.killSignal;
    this.#signal = plan.signal;
  }

  /** @internal */
  _start(plan: Plan): void {
    if (plan.signal?.aborted) {
      releasePlan(plan);
      this.#failStart(abortError(plan.signal));
      return;
    }
    let result;
    let parentFds: Array<number | null>;
    let pty: ReturnType<typeof openPtyFor> | undefined;
    try {
      if (plan.pty) {
        pty = openPtyFor(plan.spec.root || plan.joined.includes('mnt') ? plan.pid : 0, plan.pty);
        plan.stdio = [pty.slave, pty.slave, pty.slave];
      }
      ({ result, parentFds } = startProgram(plan));
    } catch (err) {
      if (pty) closeSync(pty.master);
      throw err;
    } finally {
      if (pty) closeSync(pty.slave);
      releasePlan(plan);
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
      if (!result.ok) this.pty.destroy();
    }
    this.stdio = parentFds.map((fd, i) => (fd === null ? null : this.#stream(fd, i === 0)));
    this.stdin = (this.stdio[0] as Writable | null) ?? null;
    this.stdout = (this.stdio[1] as Readable | null) ?? null;
    this.stderr = (this.stdio[2] as Readable | null) ?? null;
    if (!result.ok) {
      this.#failStart(startError(plan, result.step, result.errno, result.arg));
      return;
    }
    this.pid = result.pid;
    this.#raw = new (binding().Child)(result.pidfd);
    this.#raw.watch((code, sig) => this.#onExit(code, sig));
    if (plan.timeout > 0) {
      this.#timer = setTimeout(() => this.kill(this.#killSignal), plan.timeout);
    }
    if (plan.signal) {
      const signal = plan.signal;
      this.#abort = () => {
        this.kill(this.#killSignal);
        this.emit('error', abortError(signal));
      };
      signal.addEventListener('abort', this.#abort, { once: true });
    }
    process.nextTick(() => this.emit('spawn'));
  }

  #stream(fd: number, writable: boolean): Readable | Writable {
    const s = new Socket({ fd, readable: !writable, writable });
    if (writable) (s as Socket).on('error', () => { /* EPIPE when the program does not read: as Node, not fatal */ });
    this.#openStreams++;
    s.once('close', () => {
      this.#openStreams--;
      this.#maybeClose();
    });
    return s;
  }

  #failStart(err: Error): void {
    // As child_process: the error is emitted asynchronously, then 'close'; the streams end.
    this.#exited = true;
    if (err instanceof NsError && err.errno) this.exitCode = err.errno;
    for (const s of this.stdio) s?.destroy();
    process.nextTick(() => {
      this.emit('error', err);
      this.#maybeClose();
    });
  }

  #onExit(code: number | null, sig: number | null): void {
    this.#exited = true;
    this.exitCode = code;
    this.signalCode = sig === null ? null : (signalName(sig) as NodeJS.Signals);
    this.#cleanup();
    this.emit('exit', this.exitCode, this.signalCode);
    // A program that exited closes its end of our stdin pipe; nothing more can be written.
    if (this.stdin && !this.stdin.destroyed) this.stdin.destroy();
    // As child_process flushes stdio nobody listens to: a pty stream only reads on demand, so an
    // unread one would never see the terminal's end and 'close' would never come.
    const pty = this.pty;
    if (pty) process.nextTick(() => { if (!pty.destroyed && pty.listenerCount('data') === 0 && pty.listenerCount('readable') === 0) pty.resume(); });
    this.#maybeClose();
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
   * Sends a signal to the program itself (through its pidfd). Returns true when it was delivered.
   * @throws TypeError/RangeError for an unknown signal.
   */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    const num = signalNumber(signal, 'signal');
    if (!this.#raw || this.#exited) return false;
    if (this.#raw.kill(num) === undefined) {
      this.killed = true;
      return true;
    }
    return false;
  }

  /** Lets the event loop exit while the program runs (as ChildProcess.unref). */
  unref(): void {
    this.#raw?.unref();
    for (const s of this.stdio) (s as Socket | null)?.unref?.();
    this.pty?.unref();
  }

  /** Undoes unref(). */
  ref(): void {
    this.#raw?.ref();
    for (const s of this.stdio) (s as Socket | null)?.ref?.();
    this.pty?.ref();
  }
}

function signalName(num: number): string {
  return Object.entries(osConstants.signals).find(([, n]) => n === num)?.[0] ?? String(num);
}

function abortError(signal: AbortSignal): Error {
  const err = new Error('The operation was aborted', { cause: signal.reason });
  err.name = 'AbortError';
  (err as NodeJS.ErrnoException).code = 'ABORT_ERR';
  return err;
}

/**
 * Starts `file` with `args` inside the namespaces of `target` (see JoinOptions) and returns at
 * once, like child_process.spawn.
 * @throws TypeError/RangeError for bad arguments (nothing is started); NsError when the target
 * cannot be read (ESRCH: no such process; EACCES: no ptrace access).
 * Start failures (ENOENT for a missing program, EPERM without privilege, ...) are emitted as
 * 'error' events, as child_process does.
 */
export function spawn(target: Target, file: string, args?: readonly string[], options?: JoinOptions): NsChildProcess {
  const plan = makePlan(target, file, args, options);
  const child = new NsChildProcess(plan);
  child._start(plan);
  return child;
}

/** The error execFile rejects with when the program exits non-zero or is killed. */
export interface ExecFileError extends Error {
  /** Exit status, or the NsError code when it did not start. */
  code?: number | string;
  /** Signal that ended it, if any. */
  signal?: NodeJS.Signals | null;
  stdout: string | Buffer;
  stderr: string | Buffer;
  /** Whether it was killed by us (timeout, abort, maxBuffer). */
  killed?: boolean;
  cmd?: string;
}

/**
 * Runs a program inside the target and resolves its output, like
 * `util.promisify(child_process.execFile)`: rejects on a non-zero exit (error.code = the exit
 * status, error.signal, error.stdout, error.stderr), on a start failure (the NsError, e.g. ENOENT,
 * syscall 'execve'), on timeout/abort, and when output passes maxBuffer (RangeError
 * ERR_CHILD_PROCESS_STDIO_MAXBUFFER).
 * @throws TypeError/RangeError synchronously for bad arguments.
 */
export function execFile(target: Target, file: string, args: readonly string[] | undefined, options: ExecFileOptions & { encoding: 'buffer' }): Promise<{ stdout: Buffer; stderr: Buffer }>;
export function execFile(target: Target, file: string, args?: readonly string[], options?: ExecFileOptions): Promise<{ stdout: string; stderr: string }>;
export function execFile(target: Target, file: string, args?: readonly string[], options: ExecFileOptions = {}): Promise<{ stdout: string | Buffer; stderr: string | Buffer }> {
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object, got ${describe(options)}`);
  const { input, encoding = 'utf8', maxBuffer = 1024 * 1024, ...join } = options;
  if (input !== undefined && typeof input !== 'string' && !(input instanceof Uint8Array)) throw new TypeError(`input must be a string or Uint8Array, got ${describe(input)}`);
  if (encoding !== 'buffer' && !Buffer.isEncoding(encoding)) throw new TypeError(`encoding: unknown encoding ${describe(encoding)}`);
  if (typeof maxBuffer !== 'number' || !(maxBuffer >= 0)) throw new RangeError(`maxBuffer must be a number >= 0, got ${describe(maxBuffer)}`);
  const plan = makePlan(target, file, args, join, ['pipe', 'pipe', 'pipe']);
  const child = new NsChildProcess(plan);
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [], err: Buffer[] = [];
    let outLen = 0, errLen = 0, overflow: Error | undefined, startError: Error | undefined;
    const decode = (chunks: Buffer[]) => (encoding === 'buffer' ? Buffer.concat(chunks) : Buffer.concat(chunks).toString(encoding));
    child.on('error', (e) => { startError ??= e; });
    child._start(plan);
    const collect = (stream: Readable | null, chunks: Buffer[], which: 'stdout' | 'stderr') => {
      stream?.on('data', (b: Buffer) => {
        const len = which === 'stdout' ? (outLen += b.length) : (errLen += b.length);
        if (len > maxBuffer) {
          chunks.push(b.subarray(0, b.length - (len - maxBuffer)));
          if (!overflow) {
            overflow = Object.assign(new RangeError(`${which} maxBuffer length exceeded`), { code: 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' });
            child.kill(plan.killSignal);
          }
          stream.destroy();
        } else chunks.push(b);
      });
    };
    collect(child.stdout, out, 'stdout');
    collect(child.stderr, err, 'stderr');
    if (child.stdin) {
      if (input !== undefined) child.stdin.end(input);
      else child.stdin.end();
    }
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      const stdout = decode(out), stderr = decode(err);
      const failure = startError ?? overflow;
      if (failure) {
        reject(Object.assign(failure, { stdout, stderr, killed: child.killed, cmd: [file, ...(args ?? [])].join(' ') }));
      } else if (code === 0) {
        resolve({ stdout, stderr });
      } else {
        const cmd = [file, ...(args ?? [])].join(' ');
        const e = new Error(`Command failed: ${cmd}${stderr.length ? `\n${stderr.toString()}` : ''}`) as ExecFileError;
        Object.assign(e, { code: code ?? undefined, signal, stdout, stderr, killed: child.killed, cmd });
        reject(e);
      }
    });
  });
}

/** What spawnSync returns, as child_process.spawnSync. */
export interface SpawnSyncResult<T extends string | Buffer = Buffer> {
  /** Host pid of the program; 0 when it did not start. */
  pid: number;
  /** Exit status, or null when killed by a signal or not started. */
  status: number | null;
  signal: NodeJS.Signals | null;
  /** Per stdio slot: the collected output for piped slots 1 and 2, else null. */
  output: Array<T | null>;
  stdout: T;
  stderr: T;
  /** The start failure (NsError), or ETIMEDOUT / ENOBUFS. */
  error?: Error;
}

/**
 * Runs a program inside the target and waits for it, blocking the event loop, like
 * child_process.spawnSync. Start failures, timeouts and maxBuffer overruns are reported in
 * `error`, not thrown.
 * @throws TypeError/RangeError for bad arguments; NsError when the target cannot be read.
 */
export function spawnSync(target: Target, file: string, args: readonly string[] | undefined, options: SpawnSyncOptions & { encoding: BufferEncoding }): SpawnSyncResult<string>;
export function spawnSync(target: Target, file: string, args?: readonly string[], options?: SpawnSyncOptions): SpawnSyncResult<Buffer>;
export function spawnSync(target: Target, file: string, args?: readonly string[], options: SpawnSyncOptions = {}): SpawnSyncResult<string | Buffer> {
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object, got ${describe(options)}`);
  if (options.pty !== undefined && options.pty !== false) throw new TypeError('pty is for spawn() only');
  const { input, encoding = 'buffer', maxBuffer = 1024 * 1024, ...join } = options;
  if (input !== undefined && typeof input !== 'string' && !(input instanceof Uint8Array)) throw new TypeError(`input must be a string or Uint8Array, got ${describe(input)}`);
  if (encoding !== 'buffer' && !Buffer.isEncoding(encoding)) throw new TypeError(`encoding: unknown encoding ${describe(encoding)}`);
  if (typeof maxBuffer !== 'number' || !(maxBuffer >= 0)) throw new RangeError(`maxBuffer must be a number >= 0, got ${describe(maxBuffer)}`);
  const plan = makePlan(target, file, args, join);
  const decode = (b: Buffer) => (encoding === 'buffer' ? b : b.toString(encoding));
  const empty = decode(Buffer.alloc(0));
  if (plan.signal?.aborted) {
    releasePlan(plan);
    return { pid: 0, status: null, signal: null, output: [null, empty, empty], stdout: empty, stderr: empty, error: abortError(plan.signal) };
  }
  let result;
  let parentFds: Array<number | null>;
  try {
    ({ result, parentFds } = startProgram(plan));
  } finally {
    releasePlan(plan);
  }
  if (!result.ok) {
    for (const fd of parentFds) if (fd !== null) closeSync(fd);
    return { pid: 0, status: null, signal: null, output: [null, empty, empty], stdout: empty, stderr: empty, error: startError(plan, result.step, result.errno, result.arg) };
  }
  const raw = new (binding().Child)(result.pidfd);
  // Slots beyond stdin that we read; other slots' fds are closed by the wait loop too.
  const outFds = parentFds.map((fd, i) => (i === 0 ? -1 : fd ?? -1));
  const r = raw.waitSync({
    stdinFd: parentFds[0] ?? -1,
    ...(input === undefined ? {} : { input: Buffer.from(input as string | Uint8Array) }),
    outFds,
    timeoutMs: plan.timeout,
    killSignal: plan.killSignal,
    maxBuffer,
  });
  const output = outFds.map((fd, i) => (fd < 0 ? null : decode(r.outputs[i]!)));
  const res: SpawnSyncResult<string | Buffer> = {
    pid: result.pid,
    status: r.code,
    signal: r.signal === null ? null : (signalName(r.signal) as NodeJS.Signals),
    output,
    stdout: output[1] ?? empty,
    stderr: output[2] ?? empty,
  };
  if (r.timedOut) res.error = NsError.fromErrno(110, { syscall: `spawnSync ${file}`, pid: result.pid });
  else if (r.overflow) res.error = NsError.fromErrno(105, { syscall: `spawnSync ${file}`, pid: result.pid, hint: 'output passed maxBuffer' });
  return res;
}
