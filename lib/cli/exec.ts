// nsjoin exec: run a program inside a target's namespaces, with nsenter's flags where they overlap.
// stdio is inherited; the program's exit status (or 128+signal) becomes ours.
import { constants as osConstants } from 'node:os';
import type { NamespaceType } from '../namespaces.js';
import { spawn, type JoinOptions } from '../spawn.js';
import { parse, parseTarget, UsageError } from './common.js';

/** Usage of `nsjoin exec`. */
export const execHelp = `Usage: nsjoin exec -t TARGET [options] [--] PROGRAM [ARGS...]

Run PROGRAM inside the namespaces of TARGET (a host pid or a container id prefix),
with stdin, stdout and stderr inherited. The exit status is PROGRAM's (128+N when
killed by signal N). Needs root (CAP_SYS_ADMIN, and CAP_SYS_CHROOT for -m).

Options (as nsenter):
  -t, --target TARGET   host pid or container id prefix (required)
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
  -e, --env             TARGET's environment (the default; ours is never passed in)
  -c, --join-cgroup     join TARGET's cgroup(s) before running PROGRAM
  -h, --help            show this help

Example: nsjoin exec -t 3f2a -a -- /bin/sh -c 'hostname; cat /proc/net/dev'
`;

const NS_FLAGS: Array<[string, string, NamespaceType]> = [
  ['mount', 'm', 'mnt'], ['uts', 'u', 'uts'], ['ipc', 'i', 'ipc'], ['net', 'n', 'net'],
  ['pid', 'p', 'pid'], ['cgroup', 'C', 'cgroup'], ['time', 'T', 'time'], ['user', 'U', 'user'],
];

/**
 * Runs `nsjoin exec` with `argv` (the words after 'exec'). Resolves with the exit status to use:
 * the program's own, 128+signal when it was killed, 0 after --help.
 * @throws UsageError for bad flags; NsError when the target cannot be resolved or joined
 */
export async function execCommand(argv: string[]): Promise<number> {
  const options = {
    target: { type: 'string', short: 't' },
    all: { type: 'boolean', short: 'a' },
    root: { type: 'boolean', short: 'r' },
    wd: { type: 'string', short: 'w' },
    setuid: { type: 'string', short: 'S' },
    setgid: { type: 'string', short: 'G' },
    env: { type: 'boolean', short: 'e' },
    'join-cgroup': { type: 'boolean', short: 'c' },
    help: { type: 'boolean', short: 'h' },
    ...Object.fromEntries(NS_FLAGS.map(([long, short]) => [long, { type: 'boolean', short }])),
  } as const;
  const parsed = parse(argv, options, execHelp, 'exec');
  if (!parsed) return 0;
  const v = parsed.values;
  const [program, ...args] = parsed.positionals;
  if (v['target'] === undefined) throw new UsageError('missing -t TARGET', "see 'nsjoin exec --help'");
  if (program === undefined) throw new UsageError('missing PROGRAM', "usage: nsjoin exec -t TARGET [flags] -- PROGRAM [ARGS...]");
  const target = parseTarget(v['target'] as string, 'exec');
  const chosen = NS_FLAGS.filter(([long]) => v[long]).map(([, , type]) => type);
  const join: JoinOptions = { stdio: 'inherit', namespaces: v['all'] || chosen.length === 0 ? 'all' : chosen, env: 'target' };
  if (v['root']) join.root = true;
  if (typeof v['wd'] === 'string') join.cwd = v['wd'];
  if (v['join-cgroup']) join.joinCgroup = true;
  if (v['setuid'] === 'target') {
    if (v['setgid'] !== undefined) throw new UsageError('-G cannot be used with -S target');
    join.user = 'target';
  } else if (v['setuid'] !== undefined || v['setgid'] !== undefined) {
    join.user = { uid: id(v['setuid'], 'setuid', process.getuid?.() ?? 0), gid: id(v['setgid'], 'setgid', process.getgid?.() ?? 0) };
  }
  const child = spawn(target, program, args, join);
  return new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      resolve(code ?? (signal ? 128 + ((osConstants.signals as Record<string, number>)[signal] ?? 0) : 1));
    });
  });
}

function id(value: string | boolean | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new UsageError(`--${flag} needs a number${flag === 'setuid' ? " or 'target'" : ''}, got ${String(value)}`);
  return Number(value);
}
