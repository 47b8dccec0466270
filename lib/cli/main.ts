#!/usr/bin/env node
// nsjoin: the command line. Each command lives in its own module, loaded only when used.
import { createRequire } from 'node:module';
import { errorLine, reportError } from './common.js';
import { NsError } from '../errors.js';

interface Command {
  summary: string;
  /** The command's module; its run returns the exit status, or a promise of it (exec, stats, top, serve). */
  load: () => Promise<{ run: (argv: string[]) => number | Promise<number> }>;
}

const commands: Record<string, Command> = {
  exec: {
    summary: "run a program inside a target's namespaces (like nsenter)",
    load: async () => {
      const m = await import('./exec.js');
      return { run: m.execCommand };
    },
  },
  debug: { summary: "the host's tools inside a target whose image has none (like kubectl debug)", load: () => import('./debug.js') },
  ps: { summary: 'list the containers on this host, with CPU and memory', load: () => import('./ps.js') },
  ns: { summary: 'list namespaces (like lsns), or those of one target', load: () => import('./ns.js') },
  stats: { summary: "CPU, memory, IO, pids and network of a target's cgroup", load: () => import('./stats.js') },
  free: { summary: 'memory as free would show it inside the container', load: () => import('./free.js') },
  net: { summary: 'network interfaces and counters inside the target (like ip -s link)', load: () => import('./net.js') },
  top: { summary: 'live CPU, memory, IO and network against the limits, with sparklines', load: () => import('./top.js') },
  serve: { summary: "Prometheus /metrics of every container, under cAdvisor's names", load: () => import('./serve.js') },
  audit: { summary: 'how well a container is isolated, seen from the host (or --host, --all)', load: () => import('./audit.js') },
};

const usage = `Usage: nsjoin COMMAND [options]

Look into Linux containers from the host. TARGET is a host pid, a container name, id or id prefix,
or NAMESPACE/POD[/CONTAINER] for a Kubernetes pod on this node.

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(7)}${c.summary}`)
  .join('\n')}

Run 'nsjoin COMMAND --help' for a command's options. Read commands take --json.
Joining namespaces (exec) needs root; the read commands need read access to /proc/PID.
`;

function version(): string {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(usage);
    return 1;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`nsjoin ${version()}\n`);
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`nsjoin: unknown command '${name}' (commands: ${Object.keys(commands).join(', ')}; see 'nsjoin --help')\n`);
    return 1;
  }
  const { run } = await command.load();
  return run(rest);
}

// Anything thrown late (a stream error after the command returned) is still one line, not a stack.
process.on('uncaughtException', (err) => {
  process.stderr.write(`nsjoin: ${errorLine(err)}\n`);
  process.exit(1);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    const status = reportError(err);
    // As nsenter and shells: a program that cannot be found is 127, one that cannot run is 126.
    const e = err as NsError;
    process.exitCode = e instanceof NsError && e.syscall === 'execve' ? (e.code === 'ENOENT' ? 127 : 126) : status;
  },
);
