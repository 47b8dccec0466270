// nsjoin exec: run a program inside a target's namespaces (nsenter's flags), and with -it an
// interactive session on a pseudo-terminal, as `docker exec -it` gives. This module reads the
// command line; session.ts starts the program and attaches to it.
import type { NamespaceType } from '../namespaces.js';
import type { JoinOptions } from '../spawn.js';
import { expandIt, parse, parseTarget, UsageError } from './common.js';
import { runSession, type Session } from './session.js';

/** Usage of `nsjoin exec`. */
export const execHelp = `Usage: nsjoin exec -t TARGET [options] [--] PROGRAM [ARGS...]
       nsjoin exec -it -t TARGET [options] [--] [PROGRAM [ARGS...]]

Run PROGRAM inside the namespaces of TARGET (a pid, a container name or id prefix, or
NAMESPACE/POD[/CONTAINER]), with stdin, stdout and stderr inherited, or with -it on a
new pseudo-terminal. The exit
status is PROGRAM's (128+N when killed by signal N). Needs root (CAP_SYS_ADMIN, and
CAP_SYS_CHROOT for -m).

Options (as nsenter):
  -t, --target TARGET   pid, container name or id prefix, NAMESPACE/POD[/CONTAINER] (required)
  -a, --all             join every namespace of TARGET that differs from ours (default
                        when no namespace flag is given)
  -m, --mount           join the mount namespace (chroot to TARGET's root, cwd = its cwd)
  -u, --uts             join the UTS namespace (hostname)
  -i, --ipc             join the IPC namespace
  -n, --net             join the network namespace
  -p, --pid             join the pid namespace
  -C, --cgroup          join the cgroup namespace
  -T, --time            join the time namespace
  -U, --user            join the user namespace
  -r, --root            chroot to TARGET's root directory
  -w, --wd DIR          working directory, in TARGET's view
  -S, --setuid UID      run as UID, or 'target' for TARGET's uid, gid and groups
  -G, --setgid GID      run with GID (with -S UID; default: our gid)
  -e, --env             TARGET's environment (the default when PROGRAM runs in TARGET's
                        root; a host program gets ours, and never TARGET's PATH, LD_* or
                        other loader and shell-startup variables)
  -c, --join-cgroup     join TARGET's cgroup(s) before running PROGRAM (the default when
                        PROGRAM takes TARGET's privileges)
      --privileges caller|target
                        caller: run PROGRAM with OUR privileges (host root's capabilities,
                        no cgroup join) even in TARGET's root; only for a PROGRAM you
                        trust with the host: the container can replace its own binaries
  -h, --help            show this help

PROGRAM, when it runs in TARGET's root (-m, -r, or -a on a container), takes TARGET's
privileges as runc exec gives them: its capability sets, no_new_privs, LSM exec label and
cgroup(s); TARGET's seccomp filter is not applied. A host program (e.g. -n alone) keeps
ours, with our environment.

Interactive (as docker exec; PROGRAM defaults to sh):
  -it                   both of these (written as one word; -i alone is --ipc)
      --interactive     pass our stdin to the program
      --tty             run the program on a new pseudo-terminal: this terminal in raw
                        mode, window size following it, job control, TERM set to ours;
                        restored on exit

TERM, INT, HUP, QUIT, USR1, USR2 and WINCH sent to nsjoin are passed to PROGRAM; when
nsjoin exits or dies of an error, PROGRAM is killed.

Examples: nsjoin exec -t 3f2a -a -- /bin/sh -c 'hostname; cat /proc/net/dev'
          nsjoin exec -it -t 3f2a -- bash
`;

const NS_FLAGS: Array<[string, NamespaceType]> = [
  ['mount', 'mnt'],
  ['uts', 'uts'],
  ['ipc', 'ipc'],
  ['net', 'net'],
  ['pid', 'pid'],
  ['cgroup', 'cgroup'],
  ['time', 'time'],
  ['user', 'user'],
];

function id(value: string | boolean | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value))
    throw new UsageError(`--${flag} needs a number${flag === 'setuid' ? " or 'target'" : ''}, got ${String(value)}`);
  return Number(value);
}

/** argv after 'exec' -> what to start. Exported for tests. @internal */
export function parseExecArgs(argv: string[]): Session | undefined {
  const parsed = parse(
    expandIt(argv),
    {
      target: { type: 'string', short: 't' },
      all: { type: 'boolean', short: 'a' },
      mount: { type: 'boolean', short: 'm' },
      uts: { type: 'boolean', short: 'u' },
      ipc: { type: 'boolean', short: 'i' },
      net: { type: 'boolean', short: 'n' },
      pid: { type: 'boolean', short: 'p' },
      cgroup: { type: 'boolean', short: 'C' },
      time: { type: 'boolean', short: 'T' },
      user: { type: 'boolean', short: 'U' },
      root: { type: 'boolean', short: 'r' },
      wd: { type: 'string', short: 'w' },
      setuid: { type: 'string', short: 'S' },
      setgid: { type: 'string', short: 'G' },
      env: { type: 'boolean', short: 'e' },
      'join-cgroup': { type: 'boolean', short: 'c' },
      privileges: { type: 'string' },
      interactive: { type: 'boolean' },
      tty: { type: 'boolean' },
    },
    execHelp,
    'exec',
  );
  if (!parsed) return undefined;
  const v = parsed.values;
  if (v.target === undefined) throw new UsageError('missing -t TARGET', "see 'nsjoin exec --help'");
  const target = parseTarget(v.target as string, 'exec');
  const tty = v.tty === true;
  const interactive = v.interactive === true;
  let [file, ...args] = parsed.positionals;
  if (file === undefined) {
    if (!tty) throw new UsageError('missing PROGRAM', 'usage: nsjoin exec -t TARGET [flags] -- PROGRAM [ARGS...]');
    // The shell is looked up in the program's PATH inside; sh is the one every image has.
    file = 'sh';
    args = [];
  }
  const options: JoinOptions = {};
  const chosen = NS_FLAGS.filter(([flag]) => v[flag] === true).map(([, ns]) => ns);
  options.namespaces = v.all || chosen.length === 0 ? 'all' : chosen;
  if (v.root) options.root = true;
  if (typeof v.wd === 'string') options.cwd = v.wd;
  if (v.env) options.env = 'target';
  if (v['join-cgroup']) options.joinCgroup = true;
  if (v.privileges !== undefined) {
    if (v.privileges !== 'caller' && v.privileges !== 'target')
      throw new UsageError(`--privileges takes 'caller' or 'target', got ${String(v.privileges)}`);
    options.privileges = v.privileges;
  }
  if (v.setuid === 'target') {
    if (v.setgid !== undefined) throw new UsageError('-G cannot be used with -S target');
    options.user = 'target';
  } else if (v.setuid !== undefined || v.setgid !== undefined) {
    options.user = { uid: id(v.setuid, 'setuid', process.getuid?.() ?? 0), gid: id(v.setgid, 'setgid', process.getgid?.() ?? 0) };
  }
  return { target, file, args, options, interactive, tty };
}

/**
 * Runs `nsjoin exec` with `argv` (the words after 'exec'). Resolves with the exit status to use:
 * the program's own, 128+signal when it was killed, 0 after --help. The terminal is restored and
 * every signal handler removed before it settles.
 * @throws UsageError for bad flags; NsError when the target cannot be resolved or joined (also
 * as a rejection, for start failures such as ENOENT)
 */
export async function execCommand(argv: string[]): Promise<number> {
  const plan = parseExecArgs(argv);
  return plan ? runSession(plan) : 0;
}
