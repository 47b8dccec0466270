// The public option and result types of spawn, execFile and spawnSync (re-exported by lib/spawn.ts),
// and the internal switches nsjoin's own modules pass (lib/spawn/internal.ts checks them).
import type { Stream } from 'node:stream';
import type { NamespaceType } from '../namespaces.js';
import type { Privileges } from '../credentials.js';
import type { PtySize } from '../pty.js';
import type { NsChildProcess } from './child.js';

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

/** Not part of the public API: switches used by nsjoin's own modules, given to the internal entry
 *  points (spawnInternal, execFileInternal in lib/spawn.ts) apart from the public options. */
export interface InternalSwitches {
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
