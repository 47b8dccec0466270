// nsjoin debug: the host's tools inside a container whose image has none (distroless, scratch).
// The program comes from the host's filesystem but runs in the target's namespaces (all but mnt and
// user: see the debug option of spawn for why),
// in a private copy of the host's mount namespace with a fresh /proc and /sys of the target: `ps`,
// `top`, `ss -p` and `ip` show the container, and its files are at /proc/1/root. See the `debug`
// option of spawn. Attaching, exit status and signals are those of `nsjoin exec`.
import { expandIt, parse, parseTarget, UsageError } from './common.js';
import { runSession, type Session } from './session.js';

/** Usage of `nsjoin debug`. */
export const debugHelp = `Usage: nsjoin debug [-it] TARGET [--] [PROGRAM [ARGS...]]

Run one of this host's programs (default: $SHELL, else /bin/sh) inside TARGET (a pid, a
container name or id prefix, or NAMESPACE/POD[/CONTAINER]) when its image has no tools of its
own: the program sees the container's processes (a fresh /proc of its pid namespace), network,
hostname, IPC and cgroup, and this host's files, tools and PATH. The container's own files are
at /proc/1/root. Nothing is mounted in the container or on the host: the mounts live in a private
mount namespace that ends with the program. The exit status is the program's (128+N when
killed by signal N). Needs root.

Options:
  -it                   interactive, on a new pseudo-terminal (as nsjoin exec -it)
      --interactive     pass our stdin to the program
      --tty             run the program on a new pseudo-terminal
  -h, --help            show this help

Examples: nsjoin debug 3f2a -- ps -eo pid,args
          nsjoin debug -it 3f2a
`;

/** argv after 'debug' -> the session to start. Exported for tests. @internal */
export function parseDebugArgs(argv: string[], shell: string | null = process.env.SHELL ?? null): Session | undefined {
  const parsed = parse(
    expandIt(argv),
    {
      interactive: { type: 'boolean' },
      tty: { type: 'boolean' },
    },
    debugHelp,
    'debug',
  );
  if (!parsed) return undefined;
  const [targetText, file, ...args] = parsed.positionals;
  if (targetText === undefined) throw new UsageError('missing TARGET', "see 'nsjoin debug --help'");
  const target = parseTarget(targetText, 'debug');
  // A login shell of the host: the session is for a person, as kubectl debug's.
  const program = file ?? (shell && shell.startsWith('/') ? shell : '/bin/sh');
  return {
    target,
    file: program,
    args: file === undefined ? [] : args,
    options: { debug: true },
    interactive: parsed.values.interactive === true,
    tty: parsed.values.tty === true,
  };
}

/** Runs `nsjoin debug` with `argv` (the words after 'debug'); resolves with the exit status. */
export async function run(argv: string[]): Promise<number> {
  const session = parseDebugArgs(argv);
  return session ? runSession(session) : 0;
}
