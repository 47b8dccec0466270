// nsjoin ns: namespaces as lsns lists them; with a TARGET, only the namespaces that process is in.
import { listNamespaces, namespacesOf, NAMESPACE_TYPES, type NamespaceInfo, type NamespaceType } from '../namespaces.js';
import { parse, printJson, resolveCliTarget, table, UsageError } from './common.js';

/** Usage of `nsjoin ns`. */
export const help = `Usage: nsjoin ns [TARGET] [-t TYPE] [--json]

List namespaces like lsns: inode, type, number of processes, the lowest pid in it
and its command. With TARGET (a pid, a container name or id prefix, or
NAMESPACE/POD[/CONTAINER]), only the namespaces of that process (as lsns -p). Needs root to see other users' processes.

Options:
  -t, --type TYPE  only this type: ${NAMESPACE_TYPES.join(', ')}
      --json       print the rows as JSON
  -h, --help       show this help
`;

/** Runs `nsjoin ns`; returns the exit status. */
export function run(argv: string[]): number {
  const args = parse(argv, { json: { type: 'boolean' }, type: { type: 'string', short: 't' } }, help, 'ns');
  if (!args) return 0;
  const type = args.values['type'];
  if (type !== undefined && !NAMESPACE_TYPES.includes(type as NamespaceType)) {
    throw new UsageError(`unknown namespace type '${String(type)}'`, `one of ${NAMESPACE_TYPES.join(', ')}`);
  }
  if (args.positionals.length > 1) throw new UsageError('at most one TARGET', "see 'nsjoin ns --help'");
  let rows: NamespaceInfo[] = listNamespaces();
  const targetText = args.positionals[0];
  if (targetText !== undefined) {
    const { pid } = resolveCliTarget(targetText, 'ns');
    const mine = namespacesOf(pid);
    rows = rows.filter((r) => mine[r.type]?.inode === r.inode);
  }
  if (type !== undefined) rows = rows.filter((r) => r.type === type);
  if (args.values['json']) {
    printJson(rows);
    return 0;
  }
  process.stdout.write(
    table(
      ['NS', 'TYPE', 'NPROCS', 'PID', 'COMMAND'],
      rows.map((r) => [
        String(r.inode),
        r.type,
        String(r.processes),
        String(r.pid),
        r.command.length > 100 ? `${r.command.slice(0, 99)}…` : r.command,
      ]),
      [0, 2, 3],
    ),
  );
  return 0;
}
