// The arguments of spawn, execFile and spawnSync, validated and normalised without any I/O (as
// Node's normalizeSpawnArguments): every wrong type is a synchronous TypeError/RangeError here, so
// that what comes after (reading the target, lib/spawn/plan.ts; starting the program) can fail
// asynchronously, where Node puts failures. Node's own option names are accepted and mapped onto
// nsjoin's (README, "Differences from child_process"). The result is frozen: nothing after this
// changes it. The internal switches are not options: lib/spawn/internal.ts checks them apart.
import { fileURLToPath } from 'node:url';
import { NAMESPACE_TYPES, type NamespaceType } from '../namespaces.js';
import { refuseTargetPrivilegesOnHostProgram, type Privileges } from '../credentials.js';
import { describe } from '../describe.js';
import {
  SIGTERM,
  checkAbortSignal,
  checkBoolean,
  checkEncoding,
  checkId,
  checkInput,
  checkMaxBuffer,
  checkString,
  checkTimeout,
  checkVariableName,
  coded,
  toSignal,
} from './checks.js';
import { checkStdio, type CheckedStdio } from './stdio-options.js';

export type { StdioKind } from './stdio-options.js';

/** Which call the options are for: each accepts Node's option names for that function. */
export type CallKind = 'spawn' | 'execFile' | 'spawnSync';

/** Explicit credentials: groupsOptional as libuv (dropping groups may fail unprivileged). */
export type CheckedUser = Readonly<{ uid: number; gid: number; groups: readonly number[]; groupsOptional: boolean }>;

/** Everything the rest of spawn needs, checked and frozen; nothing has been read from the target. */
export interface CheckedOptions extends CheckedStdio {
  readonly file: string;
  /** Program arguments (without argv0), after `shell` rewrote them. */
  readonly args: readonly string[];
  readonly argv0: string;
  readonly namespaces: readonly NamespaceType[] | 'all';
  readonly root: boolean | undefined;
  readonly cwd: string | null;
  /** 'target', explicit ids, or none. */
  readonly user: 'target' | CheckedUser | undefined;
  /** undefined: by where the program runs (lib/environment.ts). */
  readonly env: Readonly<Record<string, string>> | 'target' | 'inherit' | undefined;
  /** undefined: by privileges (lib/spawn/plan.ts). */
  readonly joinCgroup: boolean | undefined;
  /** undefined: by where the program runs (lib/credentials.ts). */
  readonly privileges: Privileges | undefined;
  readonly signal: AbortSignal | undefined;
  readonly timeout: number;
  readonly killSignal: number;
  /** `nsjoin debug`'s mode: see JoinOptions.debug. */
  readonly debug: boolean;
  readonly input: Uint8Array | undefined;
  /** undefined: Buffers. */
  readonly encoding: BufferEncoding | undefined;
  readonly maxBuffer: number;
}

// nsjoin's own names, then Node's names of each function (Node 20's documentation).
const OURS = ['namespaces', 'root', 'user', 'joinCgroup', 'privileges', 'debug'];
const NODE_COMMON = ['cwd', 'env', 'uid', 'gid', 'timeout', 'killSignal', 'shell', 'windowsHide', 'windowsVerbatimArguments', 'signal'];
const KNOWN: Record<CallKind, Set<string>> = {
  spawn: new Set([...OURS, ...NODE_COMMON, 'argv0', 'stdio', 'detached', 'serialization', 'pty']),
  execFile: new Set([...OURS, ...NODE_COMMON, 'argv0', 'encoding', 'maxBuffer', 'input']),
  spawnSync: new Set([...OURS, ...NODE_COMMON, 'argv0', 'stdio', 'detached', 'input', 'encoding', 'maxBuffer', 'pty']),
};

/** Node's argument shuffle: `(file, options)` and `(file, args, options, callback)` forms. */
export function splitArguments(
  args: unknown,
  options: unknown,
  callback?: unknown,
): { args: unknown; options: unknown; callback: unknown } {
  if (typeof args === 'function') return { args: [], options: undefined, callback: args };
  if (args !== undefined && args !== null && !Array.isArray(args) && typeof args === 'object') {
    return { args: [], options: args, callback: options };
  }
  if (typeof options === 'function') return { args, options: undefined, callback: options };
  return { args, options, callback };
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
  if (typeof options !== 'object' || Array.isArray(options))
    throw coded(new TypeError(`options must be an object, got ${describe(options)}`), 'ERR_INVALID_ARG_TYPE');
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
    if (o.shell !== true && typeof o.shell !== 'string')
      throw coded(new TypeError(`shell must be a boolean or a string, got ${describe(o.shell)}`), 'ERR_INVALID_ARG_TYPE');
    const command = [name, ...argv].join(' ');
    name = o.shell === true ? '/bin/sh' : checkString(o.shell, 'shell');
    argv.splice(0, argv.length, '-c', command);
    argv0 ??= name;
  }

  const namespaces = checkNamespaces(o.namespaces);
  const debug = checkBoolean(o.debug, 'debug') ?? false;
  // The program's root is the host's filesystem: it must stay out of the target's mount namespace,
  // and out of its user namespace, whose root could otherwise ptrace it and reach the host's files
  // through /proc/PID/root. In our user namespace, with our capabilities, the container cannot.
  if (debug && (o.root === true || (Array.isArray(namespaces) && (namespaces.includes('mnt') || namespaces.includes('user'))))) {
    throw new TypeError(
      "debug runs the host's programs: it cannot join the target's mount or user namespace (no 'mnt' or 'user', no root: true)",
    );
  }

  let cwd: string | null = null;
  if (o.cwd !== undefined && o.cwd !== null) {
    cwd = o.cwd instanceof URL ? fileURLToPath(o.cwd) : checkString(o.cwd, 'cwd');
    if (cwd.length === 0) throw new TypeError('cwd must not be empty');
  }

  return Object.freeze({
    file: name,
    args: Object.freeze(argv),
    argv0: argv0 ?? name,
    namespaces,
    root: checkBoolean(o.root, 'root'),
    cwd,
    user: checkUser(o.user, o.uid, o.gid),
    // Debug mode runs host programs: the default environment is ours (see lib/environment.ts).
    env: checkEnv(o.env),
    joinCgroup: checkBoolean(o.joinCgroup, 'joinCgroup'),
    privileges: checkPrivilegesOption(o.privileges, namespaces, o.root === true),
    ...checkStdio(kind, o),
    signal: checkAbortSignal(o.signal),
    timeout: checkTimeout(o.timeout),
    killSignal: o.killSignal === undefined ? SIGTERM : toSignal(o.killSignal, 'killSignal'),
    debug,
    input: checkInput(o.input),
    encoding: checkEncoding(kind === 'execFile', o.encoding),
    maxBuffer: checkMaxBuffer(o.maxBuffer),
  });
}

function checkNamespaces(value: unknown): CheckedOptions['namespaces'] {
  if (value === undefined || value === 'all') return 'all';
  if (!Array.isArray(value)) throw new TypeError(`namespaces must be 'all' or an array of namespace names, got ${describe(value)}`);
  return Object.freeze(
    (value as unknown[]).map((t) => {
      if (typeof t !== 'string' || !(NAMESPACE_TYPES as readonly string[]).includes(t)) {
        throw new TypeError(`namespaces: unknown namespace ${describe(t)} (expected ${NAMESPACE_TYPES.join(', ')})`);
      }
      return t as NamespaceType;
    }),
  );
}

function checkUser(user: unknown, uid: unknown, gid: unknown): CheckedOptions['user'] {
  const nodeIds = (uid !== undefined && uid !== null) || (gid !== undefined && gid !== null);
  if (user !== undefined && nodeIds) throw new TypeError('user and uid/gid are the same thing: give one of them');
  if (nodeIds) {
    // As libuv: each id given is set, and the supplementary groups are dropped where permitted.
    return Object.freeze({
      uid: uid === undefined || uid === null ? -1 : checkId(uid, 'uid'),
      gid: gid === undefined || gid === null ? -1 : checkId(gid, 'gid'),
      groups: Object.freeze([]),
      groupsOptional: true,
    });
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
  return Object.freeze({
    uid: checkId(u.uid, 'user.uid'),
    gid: checkId(u.gid, 'user.gid'),
    groups: Object.freeze(groups),
    groupsOptional: false,
  });
}

/**
 * JoinOptions.privileges: its value, and the one combination refused without reading the target:
 * a host program (no 'mnt', no root) in the target's pid namespace with only the target's
 * capabilities, which the container's root could ptrace (lib/credentials.ts says why; with
 * namespaces 'all' the same check runs once the target's namespaces are known).
 */
function checkPrivilegesOption(value: unknown, namespaces: CheckedOptions['namespaces'], root: boolean): CheckedOptions['privileges'] {
  if (value === undefined || value === null) return undefined;
  if (value !== 'target' && value !== 'caller')
    throw coded(new TypeError(`privileges must be 'target' or 'caller', got ${describe(value)}`), 'ERR_INVALID_ARG_VALUE');
  if (value === 'target' && Array.isArray(namespaces))
    refuseTargetPrivilegesOnHostProgram(namespaces.includes('mnt') || root, namespaces.includes('pid'));
  return value;
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
    checkVariableName(k, 'env');
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- as child_process: env values are coerced with String()
    out[k] = checkString(String(v), `env.${k}`);
  }
  return Object.freeze(out);
}
