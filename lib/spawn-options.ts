// The arguments of spawn, execFile and spawnSync, validated and normalised without any I/O: every
// wrong type is a synchronous TypeError/RangeError here (as in Node), so that what comes after
// (reading the target, starting the program) can fail asynchronously, where Node puts failures.
// Node's own option names are accepted and mapped onto nsjoin's (see README, "Differences from
// child_process").
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { NAMESPACE_TYPES, type NamespaceType } from './namespaces.js';
import { refuseTargetPrivilegesOnHostProgram } from './credentials.js';
import { checkPtySize } from './pty.js';
import { describe } from './targets.js';

/** A stdio slot after normalisation: a pipe to us, /dev/null, or a given fd of ours. */
export type StdioKind = 'pipe' | 'ignore' | number;

/** Which call the options are for: each accepts Node's option names for that function. */
export type CallKind = 'spawn' | 'execFile' | 'spawnSync';

/** Everything the rest of spawn needs, checked; no field has been read from the target yet. */
export interface CheckedOptions {
  file: string;
  /** Program arguments (without argv0), after `shell` rewrote them. */
  args: string[];
  argv0: string;
  namespaces: NamespaceType[] | 'all';
  root: boolean | undefined;
  cwd: string | null;
  /** 'target', explicit ids (groupsOptional: as libuv, dropping groups may fail unprivileged), or none. */
  user: 'target' | { uid: number; gid: number; groups: number[]; groupsOptional: boolean } | undefined;
  /** undefined: by where the program runs (lib/environment.ts). */
  env: Record<string, string> | 'target' | 'inherit' | undefined;
  /** Set on top of the environment (internal: the CLI's TERM). */
  envSet: Record<string, string>;
  /** undefined: by privileges (lib/spawn.ts). */
  joinCgroup: boolean | undefined;
  /** undefined: by where the program runs (lib/credentials.ts). */
  privileges: 'target' | 'caller' | undefined;
  stdio: StdioKind[];
  signal: AbortSignal | undefined;
  timeout: number;
  killSignal: number;
  /** New session (Node's `detached`, or a pty). */
  setsid: boolean;
  pty: { cols: number; rows: number } | null;
  ctty: number;
  freshSysfs: boolean;
  /** `nsjoin debug`'s mode: see JoinOptions.debug. */
  debug: boolean;
  dieWithParent: boolean;
  input: Uint8Array | undefined;
  /** undefined: Buffers. */
  encoding: BufferEncoding | undefined;
  maxBuffer: number;
}

const MAX_ID = 0xfffffffe;
const SIGNALS = osConstants.signals as Record<string, number>;
const SIGNAL_NUMBERS = new Set(Object.values(SIGNALS));

// nsjoin's own names, then Node's names of each function (Node 20's documentation).
const OURS = ['namespaces', 'root', 'user', 'joinCgroup', 'privileges', 'debug', 'freshSysfs', 'ctty', 'dieWithParent', 'envSet'];
const NODE_COMMON = ['cwd', 'env', 'uid', 'gid', 'timeout', 'killSignal', 'shell', 'windowsHide', 'windowsVerbatimArguments', 'signal'];
const KNOWN: Record<CallKind, Set<string>> = {
  spawn: new Set([...OURS, ...NODE_COMMON, 'argv0', 'stdio', 'detached', 'serialization', 'pty']),
  execFile: new Set([...OURS, ...NODE_COMMON, 'argv0', 'encoding', 'maxBuffer', 'input']),
  spawnSync: new Set([...OURS, ...NODE_COMMON, 'argv0', 'stdio', 'detached', 'input', 'encoding', 'maxBuffer', 'pty']),
};

/** An error with Node's `code`, for the shapes Node reports that way. */
function coded<E extends Error>(err: E, code: string): E & { code: string } {
  return Object.assign(err, { code });
}

/**
 * A signal name (any case, as Node) or a number Node knows, to its number.
 * @throws TypeError ERR_UNKNOWN_SIGNAL, as child_process.
 */
export function toSignal(sig: unknown, what = 'signal'): number {
  if (typeof sig === 'number' && SIGNAL_NUMBERS.has(sig)) return sig;
  if (typeof sig === 'string') {
    const num = SIGNALS[sig.toUpperCase()];
    if (num !== undefined) return num;
  }
  if (typeof sig !== 'number' && typeof sig !== 'string') {
    throw coded(new TypeError(`${what} must be a signal name or number, got ${describe(sig)}`), 'ERR_INVALID_ARG_TYPE');
  }
  return unknownSignal(sig);
}

function unknownSignal(sig: string | number): never {
  throw coded(new TypeError(`Unknown signal: ${String(sig)}`), 'ERR_UNKNOWN_SIGNAL');
}

/** The name of a signal number ('SIGTERM'), or the number as text when it has none. */
export function signalName(num: number): string {
  return Object.entries(SIGNALS).find(([, n]) => n === num)?.[0] ?? String(num);
}

/** Node's argument shuffle: `(file, options)` and `(file, args, options, callback)` forms. */
export function splitArguments(args: unknown, options: unknown, callback?: unknown): { args: unknown; options: unknown; callback: unknown } {
  if (typeof args === 'function') return { args: [], options: undefined, callback: args };
  if (args !== undefined && args !== null && !Array.isArray(args) && typeof args === 'object') {
    return { args: [], options: args, callback: options };
  }
  if (typeof options === 'function') return { args, options: undefined, callback: options };
  return { args, options, callback };
}

function checkString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw coded(new TypeError(`${what} must be a string, got ${describe(value)}`), 'ERR_INVALID_ARG_TYPE');
  if (value.includes('\0')) throw coded(new TypeError(`${what} must not contain NUL bytes`), 'ERR_INVALID_ARG_VALUE');
  return value;
}

function checkBoolean(value: unknown, what: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw coded(new TypeError(`${what} must be a boolean, got ${describe(value)}`), 'ERR_INVALID_ARG_TYPE');
  return value;
}

function checkId(value: unknown, what: string): number {
  if (typeof value !== 'number') throw coded(new TypeError(`${what} must be a number, got ${describe(value)}`), 'ERR_INVALID_ARG_TYPE');
  if (!Number.isInteger(value) || value < 0 || value > MAX_ID) throw new RangeError(`${what} must be an integer 0-${MAX_ID}, got ${value}`);
  return value;
}

/**
 * Validates and normalises one call's arguments (after splitArguments).
 * @throws TypeError/RangeError for anything Node would also refuse, or nsjoin cannot honour.
 */
export function checkOptions(kind: CallKind, file: unknown, args: unknown, options: unknown): CheckedOptions {
  checkString(file, 'file');
  if ((file as string).length === 0) throw coded(new TypeError('file must not be empty'), 'ERR_INVALID_ARG_VALUE');
  if (args === undefined || args === null) args = [];
  if (!Array.isArray(args)) throw coded(new TypeError(`args must be an array of strings, got ${describe(args)}`), 'ERR_INVALID_ARG_TYPE');
  const argv = (args as unknown[]).map((a, i) => checkString(a, `args[${i}]`));
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) throw coded(new TypeError(`options must be an object, got ${describe(options)}`), 'ERR_INVALID_ARG_TYPE');
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN[kind].has(key)) throw coded(new TypeError(`${kind}: unknown option ${describe(key)}`), 'ERR_INVALID_ARG_VALUE');
  }
  // Windows-only (validated as Node does, then without effect) and IPC-only options.
  checkBoolean(o.windowsHide, 'windowsHide');
  checkBoolean(o.windowsVerbatimArguments, 'windowsVerbatimArguments');
  if (o.serialization !== undefined && o.serialization !== 'json' && o.serialization !== 'advanced') {
    throw coded(new TypeError(`serialization must be 'json' or 'advanced', got ${describe(o.serialization)}`), 'ERR_INVALID_ARG_VALUE');
  }

  // shell: the target's shell runs the command line, as Node joins it (no quoting).
  let name = file as string;
  let argv0 = o.argv0 === undefined || o.argv0 === null ? undefined : checkString(o.argv0, 'argv0');
  if (o.shell !== undefined && o.shell !== null && o.shell !== false) {
    if (o.shell !== true && typeof o.shell !== 'string') throw coded(new TypeError(`shell must be a boolean or a string, got ${describe(o.shell)}`), 'ERR_INVALID_ARG_TYPE');
    const command = [name, ...argv].join(' ');
    name = o.shell === true ? '/bin/sh' : checkString(o.shell, 'shell');
    argv.splice(0, argv.length, '-c', command);
    argv0 ??= name;
  }

  let namespaces: NamespaceType[] | 'all' = 'all';
  if (o.namespaces !== undefined && o.namespaces !== 'all') {
    if (!Array.isArray(o.namespaces)) throw new TypeError(`namespaces must be 'all' or an array of namespace names, got ${describe(o.namespaces)}`);
    namespaces = (o.namespaces as unknown[]).map((t) => {
      if (typeof t !== 'string' || !(NAMESPACE_TYPES as readonly string[]).includes(t)) {
        throw new TypeError(`namespaces: unknown namespace ${describe(t)} (expected ${NAMESPACE_TYPES.join(', ')})`);
      }
      return t as NamespaceType;
    });
  }

  const debug = checkBoolean(o.debug, 'debug') ?? false;
  // The program's root is the host's filesystem: it must stay out of the target's mount namespace,
  // and out of its user namespace, whose root could otherwise ptrace it and reach the host's files
  // through /proc/PID/root. In our user namespace, with our capabilities, the container cannot.
  if (debug && (o.root === true || (Array.isArray(namespaces) && (namespaces.includes('mnt') || namespaces.includes('user'))))) {
    throw new TypeError("debug runs the host's programs: it cannot join the target's mount or user namespace (no 'mnt' or 'user', no root: true)");
  }

  let cwd: string | null = null;
  if (o.cwd !== undefined && o.cwd !== null) {
    cwd = o.cwd instanceof URL ? fileURLToPath(o.cwd) : checkString(o.cwd, 'cwd');
    if (cwd.length === 0) throw new TypeError('cwd must not be empty');
  }

  return {
    file: name, args: argv, argv0: argv0 ?? name, namespaces,
    root: checkBoolean(o.root, 'root'), cwd,
    user: checkUser(o.user, o.uid, o.gid),
    // Debug mode runs host programs: the target's environment (its PATH, LD_PRELOAD) stays out.
    // Debug mode runs host programs: the default environment is ours (see lib/environment.ts).
    env: checkEnv(o.env),
    envSet: checkEnvSet(o.envSet),
    joinCgroup: checkBoolean(o.joinCgroup, 'joinCgroup'),
    privileges: checkPrivilegesOption(o.privileges, namespaces, o.root === true),
    ...checkStdio(kind, o),
    signal: checkAbortSignal(o.signal),
    timeout: checkTimeout(o.timeout),
    killSignal: o.killSignal === undefined ? SIGNALS.SIGTERM! : toSignal(o.killSignal, 'killSignal'),
    freshSysfs: checkBoolean(o.freshSysfs, 'freshSysfs') ?? false,
    debug,
    dieWithParent: checkDieWithParent(o.dieWithParent),
    input: checkInput(o.input),
    encoding: checkEncoding(kind, o.encoding),
    maxBuffer: checkMaxBuffer(o.maxBuffer),
  };
}

function checkUser(user: unknown, uid: unknown, gid: unknown): CheckedOptions['user'] {
  const nodeIds = (uid !== undefined && uid !== null) || (gid !== undefined && gid !== null);
  if (user !== undefined && nodeIds) throw new TypeError('user and uid/gid are the same thing: give one of them');
  if (nodeIds) {
    // As libuv: each id given is set, and the supplementary groups are dropped where permitted.
    return {
      uid: uid === undefined || uid === null ? -1 : checkId(uid, 'uid'),
      gid: gid === undefined || gid === null ? -1 : checkId(gid, 'gid'),
      groups: [], groupsOptional: true,
    };
  }
  if (user === undefined || user === 'target') return user;
  if (user === null || typeof user !== 'object' || Array.isArray(user)) {
    throw new TypeError(`user must be 'target' or { uid, gid, groups? }, got ${describe(user)}`);
  }
  const u = user as { uid?: unknown; gid?: unknown; groups?: unknown };
  let groups: number[] = [];
  if (u.groups !== undefined) {
    if (!Array.isArray(u.groups)) throw new TypeError(`user.groups must be an array, got ${describe(u.groups)}`);
    if (u.groups.length > 65536) throw new RangeError('user.groups: at most 65536 groups');
    groups = (u.groups as unknown[]).map((g, i) => checkId(g, `user.groups[${i}]`));
  }
  return { uid: checkId(u.uid, 'user.uid'), gid: checkId(u.gid, 'user.gid'), groups, groupsOptional: false };
}

/**
 * JoinOptions.privileges: its value, and the one combination refused without reading the target:
 * a host program (no 'mnt', no root) in the target's pid namespace with only the target's
 * capabilities, which the container's root could ptrace (lib/credentials.ts says why; with
 * namespaces 'all' the same check runs once the target's namespaces are known).
 */
function checkPrivilegesOption(value: unknown, namespaces: NamespaceType[] | 'all', root: boolean): CheckedOptions['privileges'] {
  if (value === undefined || value === null) return undefined;
  if (value !== 'target' && value !== 'caller') throw coded(new TypeError(`privileges must be 'target' or 'caller', got ${describe(value)}`), 'ERR_INVALID_ARG_VALUE');
  if (value === 'target' && Array.isArray(namespaces)) refuseTargetPrivilegesOnHostProgram(namespaces.includes('mnt') || root, namespaces.includes('pid'));
  return value;
}

function checkEnvSet(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw coded(new TypeError(`envSet must be an object, got ${describe(value)}`), 'ERR_INVALID_ARG_TYPE');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k.length === 0 || k.includes('=') || k.includes('\0')) throw new TypeError(`envSet: bad variable name ${describe(k)}`);
    out[k] = checkString(v, `envSet.${k}`);
  }
  return out;
}

function checkEnv(env: unknown): CheckedOptions['env'] {
  if (env === undefined) return undefined;
  if (env === 'target') return 'target';
  if (env === 'inherit') return 'inherit';
  if (env === null || typeof env !== 'object' || Array.isArray(env)) {
    throw coded(new TypeError(`env must be 'target', 'inherit' or an object, got ${describe(env)}`), 'ERR_INVALID_ARG_TYPE');
  }
  const out: Record<string, string> = {};
  // As Node: every enumerable key (inherited ones too); values are coerced to strings.
  for (const k in env) {
    const v = (env as Record<string, unknown>)[k];
    if (v === undefined) continue;
    if (k.length === 0 || k.includes('=') || k.includes('\0')) throw new TypeError(`env: bad variable name ${describe(k)}`);
    out[k] = checkString(String(v), `env.${k}`);
  }
  return out;
}

function checkStdio(kind: CallKind, o: Record<string, unknown>): Pick<CheckedOptions, 'stdio' | 'setsid' | 'pty' | 'ctty'> {
  const stdio = kind === 'execFile' ? ['pipe', 'pipe', 'pipe'] as StdioKind[] : normaliseStdio(o.stdio);
  let pty: CheckedOptions['pty'] = null;
  if (o.pty !== undefined && o.pty !== false) {
    if (kind !== 'spawn') throw new TypeError('pty is for spawn() only');
    if (o.stdio !== undefined) throw new TypeError('pty is for spawn() only and replaces stdio');
    pty = checkPtySize(o.pty, 'pty');
  }
  let ctty = pty ? 0 : -1;
  if (o.ctty !== undefined) {
    if (!Number.isInteger(o.ctty) || (o.ctty as number) < 0 || (o.ctty as number) >= stdio.length) throw new RangeError('ctty must be a stdio index');
    ctty = o.ctty as number;
  }
  const detached = checkBoolean(o.detached, 'detached') ?? false;
  return { stdio, pty, ctty, setsid: detached || ctty >= 0 };
}

/** One entry per fd: Node's forms ('overlapped', Streams with an fd, null), or an fd number. */
function normaliseStdio(value: unknown): StdioKind[] {
  if (value === undefined || value === null) return ['pipe', 'pipe', 'pipe'];
  if (typeof value === 'string') {
    if (!['pipe', 'overlapped', 'inherit', 'ignore'].includes(value)) throw coded(new TypeError(`stdio: unknown value ${describe(value)}`), 'ERR_INVALID_ARG_VALUE');
    return [0, 1, 2].map((i) => stdioEntry(value, i));
  }
  if (!Array.isArray(value)) throw coded(new TypeError(`stdio must be a string or an array, got ${describe(value)}`), 'ERR_INVALID_ARG_VALUE');
  if (value.length > 1024) throw new RangeError('stdio: at most 1024 entries');
  const out: StdioKind[] = [];
  for (let i = 0; i < Math.max(3, value.length); i++) out.push(stdioEntry(value[i], i));
  return out;
}

function stdioEntry(e: unknown, i: number): StdioKind {
  if (e === undefined || e === null) return i < 3 ? 'pipe' : 'ignore';
  if (e === 'pipe' || e === 'overlapped') return 'pipe';
  if (e === 'ignore') return 'ignore';
  if (e === 'inherit') return i;
  if (e === 'ipc') throw coded(new TypeError('stdio: \'ipc\' is not supported (the program runs in another process tree; use a pipe)'), 'ERR_INVALID_ARG_VALUE');
  if (typeof e === 'number' && Number.isInteger(e) && e >= 0 && e <= 0x7fffffff) return e;
  // A Stream of ours with an fd (net.Socket, fs streams, process.stdout), as Node takes them.
  if (e !== null && typeof e === 'object') {
    const s = e as { fd?: unknown; _handle?: { fd?: unknown } | null };
    const fd = typeof s.fd === 'number' ? s.fd : s._handle?.fd;
    if (typeof fd === 'number' && Number.isInteger(fd) && fd >= 0) return fd;
  }
  throw coded(new TypeError(`stdio[${i}] must be 'pipe', 'overlapped', 'inherit', 'ignore', an fd or a Stream with an fd, got ${describe(e)}`), 'ERR_INVALID_ARG_VALUE');
}

function checkAbortSignal(s: unknown): AbortSignal | undefined {
  if (s === undefined) return undefined;
  if (s === null || typeof s !== 'object' || typeof (s as AbortSignal).aborted !== 'boolean' || typeof (s as AbortSignal).addEventListener !== 'function') {
    throw coded(new TypeError(`signal must be an AbortSignal, got ${describe(s)}`), 'ERR_INVALID_ARG_TYPE');
  }
  return s as AbortSignal;
}

function checkTimeout(t: unknown): number {
  if (t === undefined || t === null) return 0;
  if (typeof t !== 'number') throw coded(new TypeError(`timeout must be a number, got ${describe(t)}`), 'ERR_INVALID_ARG_TYPE');
  if (!Number.isFinite(t) || t < 0 || t > 2 ** 31 - 1) throw coded(new RangeError(`timeout must be 0 to 2^31-1 ms, got ${t}`), 'ERR_OUT_OF_RANGE');
  return Math.floor(t);
}

function checkDieWithParent(v: unknown): boolean {
  const on = checkBoolean(v, 'dieWithParent') ?? false;
  // PR_SET_PDEATHSIG fires when the spawning *thread* exits: from a worker, the program would be
  // killed when the worker ends, not when the process does.
  if (on && !isMainThread) {
    throw coded(new TypeError('dieWithParent is for the main thread only: from a worker thread the program would die with the worker'), 'ERR_WORKER_UNSUPPORTED_OPERATION');
  }
  return on;
}

function checkInput(input: unknown): Uint8Array | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input === 'string') return Buffer.from(input);
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw coded(new TypeError(`input must be a string, a Buffer, a TypedArray or a DataView, got ${describe(input)}`), 'ERR_INVALID_ARG_TYPE');
}

function checkEncoding(kind: CallKind, e: unknown): BufferEncoding | undefined {
  // Node's defaults: execFile decodes as UTF-8, spawnSync gives Buffers; null and 'buffer' are Buffers.
  if (e === undefined) return kind === 'execFile' ? 'utf8' : undefined;
  if (e === null || e === 'buffer') return undefined;
  if (typeof e !== 'string' || !Buffer.isEncoding(e)) throw coded(new TypeError(`encoding: unknown encoding ${describe(e)}`), 'ERR_UNKNOWN_ENCODING');
  return e;
}

function checkMaxBuffer(m: unknown): number {
  if (m === undefined || m === null) return 1024 * 1024;
  if (typeof m !== 'number' || !(m >= 0)) throw coded(new RangeError(`maxBuffer must be a number >= 0, got ${describe(m)}`), 'ERR_OUT_OF_RANGE');
  return m;
}
