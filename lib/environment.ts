// The program's environment, and the PATH its file is looked up in.
//
// A program that runs in the target's root (mnt joined, or `root`) is the container's own binary:
// it gets the container's environment by default, as `docker exec` gives it. A program that does
// not (e.g. `namespaces: ['net']`) is a binary of the host, run as host root: what the container
// wrote into its /proc/PID/environ must not steer it. Its default environment is ours, and even
// when the target's is asked for, the variables that make a loader, a shell or an interpreter load
// other code (LD_PRELOAD, BASH_ENV, PYTHONPATH, ...) and PATH are not taken from the target; its
// file is always searched in our PATH.
import { E } from './errno.js';
import { NsError } from './errors.js';
import { readText } from './io.js';
import { parseEnviron } from './parse/environ.js';

/** Default PATH when none is set, as execvp's. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Variables that load code or change how it is found: never from the target for a host binary. */
const UNSAFE_NAMES = new Set([
  'PATH',
  'GCONV_PATH',
  'GETCONF_DIR',
  'GLIBC_TUNABLES',
  'HOSTALIASES',
  'LOCALDOMAIN',
  'LOCPATH',
  'MALLOC_TRACE',
  'NIS_PATH',
  'NLSPATH',
  'RESOLV_HOST_CONF',
  'RES_OPTIONS',
  'TMPDIR',
  'TZDIR',
  'BASH_ENV',
  'ENV',
  'SHELLOPTS',
  'BASHOPTS',
  'PS4',
  'IFS',
  'CDPATH',
  'GLOBIGNORE',
  'PROMPT_COMMAND',
  'PYTHONPATH',
  'PYTHONHOME',
  'PYTHONSTARTUP',
  'PYTHONINSPECT',
  'PERL5LIB',
  'PERL5OPT',
  'PERLLIB',
  'RUBYLIB',
  'RUBYOPT',
  'NODE_OPTIONS',
  'NODE_PATH',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS',
  'LUA_PATH',
  'LUA_CPATH',
  'GIT_EXEC_PATH',
  'GIT_CONFIG',
  'GIT_CONFIG_GLOBAL',
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'EDITOR',
  'VISUAL',
  'PAGER',
  'LESSOPEN',
]);
const UNSAFE_PREFIXES = ['LD_', 'MALLOC_', 'BASH_FUNC_', 'DYLD_'];

/** True for a variable a host binary must never take from a container. @internal */
export function isLoaderVariable(name: string): boolean {
  return UNSAFE_NAMES.has(name) || UNSAFE_PREFIXES.some((p) => name.startsWith(p));
}

function ours(): string[] {
  return Object.entries(process.env)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
}

function targetEnviron(pid: number): string[] {
  const path = `/proc/${pid}/environ`;
  try {
    return parseEnviron(readText(path, pid));
  } catch (err) {
    const e = err as NsError;
    if (e.code === 'EACCES' || e.code === 'EPERM') {
      throw NsError.fromErrno(E.EACCES, {
        syscall: 'open',
        path,
        pid,
        hint: 'reading the target environment needs ptrace read access; or pass env',
      });
    }
    throw e;
  }
}

/**
 * The program's envp and the PATH its file is searched in.
 * @param option JoinOptions.env as lib/spawn/options.ts checked it: undefined (default), 'target',
 * 'inherit' or an object of strings
 * @param inTargetRoot whether the program runs in the target's root (mnt joined, or root)
 * @param extra variables set on top (the CLI's TERM for a pty), never filtered
 * @throws NsError when the target's environ cannot be read
 */
export function programEnvironment(
  pid: number,
  option: Readonly<Record<string, string>> | 'target' | 'inherit' | undefined,
  inTargetRoot: boolean,
  extra: Readonly<Record<string, string>> = {},
): { envp: string[]; path: string } {
  let envp: string[];
  let path: string | undefined;
  const mode = option ?? (inTargetRoot ? 'target' : 'inherit');
  if (mode === 'target') {
    envp = targetEnviron(pid);
    if (!inTargetRoot) {
      envp = envp.filter((kv) => !isLoaderVariable(kv.slice(0, Math.max(0, kv.indexOf('=')))));
      envp.push(`PATH=${process.env.PATH ?? DEFAULT_PATH}`);
    }
    path = envp.find((kv) => kv.startsWith('PATH='))?.slice(5);
  } else if (mode === 'inherit') {
    envp = ours();
    path = process.env.PATH;
  } else {
    // The caller's own choice, trusted as child_process trusts options.env.
    envp = Object.entries(mode).map(([k, v]) => `${k}=${v}`);
    if (mode.PATH !== undefined) path = mode.PATH;
  }
  for (const [k, v] of Object.entries(extra)) {
    envp = envp.filter((kv) => !kv.startsWith(`${k}=`));
    envp.push(`${k}=${v}`);
  }
  return { envp, path: path ?? DEFAULT_PATH };
}
