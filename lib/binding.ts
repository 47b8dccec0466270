// Loads the addon (build/Release when built here, else prebuilds/<platform>-<arch>) and types its
// raw interface, in one place. Nothing else imports the .node file.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawCreds } from './credentials.js';
import type { NativeFailure } from './native-error.js';

/** What the trampoline and the program do; built by lib/spawn/plan.ts from options lib/spawn/options.ts checked. */
export interface RawSpawnSpec {
  pid: number;
  /** A pidfd of the target opened before /proc was read (duplicated by the addon), or -1. */
  pidfd: number;
  nsMask: number;
  setnsPidfd: boolean;
  closeRange: boolean;
  root: boolean;
  cwd: string | null;
  cwdFromTarget: boolean;
  verifyCwd: boolean;
  cwdFallbackToRoot: boolean;
  freshSysfs: boolean;
  /** Mount a fresh proc on /proc in the program (after a private mount namespace: see freshSysfs). */
  freshProc: boolean;
  setsid: boolean;
  ctty: number;
  dieWithParent: boolean;
  uid: number;
  gid: number;
  setGroups: boolean;
  groupsOptional: boolean;
  groups: number[];
  /** The target's privileges (lib/credentials.ts), or null to keep ours. */
  creds: RawCreds | null;
  stdio: number[];
  cgroupProcs: string[];
  argv: string[];
  envp: string[];
  execPaths: string[];
}

export type RawSpawnResult =
  /** startFd: read end of the start pipe: a 16-byte {step, errno, arg, value} report (int32, host
   *  byte order; step indexes spawnSteps; for 'creds', arg indexes credsSteps and value is that
   *  step's argument) when the program failed before execve, else EOF once it ran. */
  | { pid: number; pidfd: number; startFd: number }
  /** A NativeFailure (told apart by isNativeFailure) with the step's argument. */
  | (NativeFailure & { arg: number });

export interface RawWaitResult {
  code: number | null;
  signal: number | null;
  outputs: Buffer[];
  timedOut: boolean;
  overflow: boolean;
  /** Non-zero when poll() itself failed: the program was killed (SIGKILL) and its output cut short. */
  pollErrno: number;
}

/** A started program, held through its pidfd. */
export interface RawChild {
  watch(onExit: (code: number | null, signal: number | null) => void): void;
  /** Sends a signal through the pidfd; a failure with ESRCH once the program has been reaped. */
  kill(signal: number): undefined | NativeFailure;
  ref(): void;
  unref(): void;
  waitSync(opts: {
    stdinFd: number;
    input?: Buffer;
    outFds: number[];
    timeoutMs: number;
    killSignal: number;
    maxBuffer: number;
  }): RawWaitResult;
}

/**
 * The raw addon. Every call that can fail reports it as a NativeFailure { step, errno }
 * (lib/native-error.ts turns it into an NsError); spawn()'s also carries the step's `arg`.
 */
export interface RawBinding {
  spawn(spec: RawSpawnSpec): RawSpawnResult;
  /** [read end, write end], both close-on-exec. */
  pipe(): [number, number] | NativeFailure;
  /** A close-on-exec pidfd for pid. */
  pidfdOpen(pid: number): number | NativeFailure;
  kernelFeatures(): { closeRange: boolean; pidfdOpen: boolean };
  /** Names of the steps a start report can name, by number. */
  spawnSteps: string[];
  /** Names of the credential steps (a 'creds' report's arg), by number. */
  credsSteps: string[];
  Child: new (pidfd: number) => RawChild;
  openPty(spec: { pid: number; cols: number; rows: number }): RawPtyResult;
  /** TIOCSWINSZ: undefined, or the failure of the ioctl. */
  resizePty(fd: number, cols: number, rows: number): undefined | NativeFailure;
  /** openat2(2): a close-on-exec fd (ENOSYS before Linux 5.6). dirFd may be -100 (AT_FDCWD). */
  openat2(dirFd: number, path: string, flags: number, resolve: number): number | NativeFailure;
  /** The O_* and RESOLVE_* values openat2 takes, as this kernel's headers define them. */
  openat2Constants: Openat2Constants;
  /**
   * poll(2) for POLLPRI with no wait: 1 when fd reports POLLPRI/POLLERR (a mountinfo fd: the mounts
   * changed), 0 when not; the failure { step: 'fstat', errno: ESTALE } when fd is no longer the file
   * with this dev and ino.
   */
  pollPri(fd: number, dev: number, ino: number): 0 | 1 | NativeFailure;
  /** close(2) of an fd the addon opened (lib/fd.ts). */
  closeFd(fd: number): undefined | NativeFailure;
  socketIn(spec: RawSocketSpec, callback: (err: NativeFailure | null, fd: number | null) => void): void;
}

/** Flags for RawBinding.openat2. */
export interface Openat2Constants {
  O_RDONLY: number;
  O_PATH: number;
  O_DIRECTORY: number;
  O_NOFOLLOW: number;
  O_NONBLOCK: number;
  O_NOCTTY: number;
  RESOLVE_NO_XDEV: number;
  RESOLVE_NO_MAGICLINKS: number;
  RESOLVE_NO_SYMLINKS: number;
  RESOLVE_BENEATH: number;
  RESOLVE_IN_ROOT: number;
}

/** A pty pair from openPty: pid 0 = the host's /dev/ptmx, else the target's /dev/ptmx first. */
export type RawPtyResult =
  | { master: number; slave: number; index: number; source: 'target' | 'host'; fallbackErrno: number; fallbackWhat: string; dev: number }
  | NativeFailure;

/** A socket made in the target's network namespace (lib/sockets.ts). */
export interface RawSocketSpec {
  pid: number;
  setnsPidfd: boolean;
  family: 'inet' | 'inet6' | 'unix';
  op: 'connect' | 'bind';
  address?: Buffer;
  port?: number;
  scopeId?: number;
  dir?: string;
  name?: string;
  /** -1: no limit. */
  timeoutMs: number;
}

const require = createRequire(import.meta.url);
const load = require('node-gyp-build') as (dir: string) => unknown;

/** The package root: one level above lib/ and dist/ alike. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

let cached: RawBinding | undefined;

/** Returns the loaded addon, loading it on first use (so parsers work without it). */
export function binding(): RawBinding {
  cached ??= load(packageRoot) as RawBinding;
  return cached;
}
