// Test targets: a process started with util-linux `unshare` in fresh namespaces (tests may use
// unshare; the library never does). Every target is killed by pid when the test process exits,
// also when a test fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export type UnshareNs = 'uts' | 'net' | 'ipc' | 'pid' | 'mnt' | 'cgroup' | 'time' | 'user';

export interface TargetOptions {
  /** Namespaces to create (default: uts, net, ipc, pid, mnt, cgroup, time). */
  ns?: UnshareNs[];
  /** Shell run inside before the target settles (as pid 1 of its pid namespace when 'pid' is in ns). */
  setup?: string;
  /** Environment of the target. */
  env?: Record<string, string>;
  /** cwd of the target (host path, before any mount namespace is made). */
  cwd?: string;
  /** Host-side shell run before unshare, e.g. to join a cgroup: `echo $$ > .../cgroup.procs`. */
  pre?: string;
  /** What the target finally execs (same pid), default `sleep 100000`. */
  exec?: string;
}

export interface Target {
  /** Host pid of the process that holds the namespaces (the shell that then sleeps). */
  pid: number;
  /** Host pid of the unshare process (its parent when pid namespace is new). */
  outerPid: number;
  kill(): void;
}

const live = new Set<ChildProcess>();
const livePids = new Set<number>();
function killAll(): void {
  for (const pid of livePids)
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  for (const c of live)
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });

const NS_FLAG: Record<UnshareNs, string> = {
  uts: '--uts',
  net: '--net',
  ipc: '--ipc',
  pid: '--pid',
  mnt: '--mount',
  cgroup: '--cgroup',
  time: '--time',
  user: '--user',
};

/**
 * Starts `unshare [flags] --fork sh -c 'SETUP; echo READY; exec sleep'` and resolves once the inner
 * shell has run its setup. Its `pid` is the host pid of that inner process.
 */
export async function startTarget(opts: TargetOptions = {}): Promise<Target> {
  const ns = opts.ns ?? ['uts', 'net', 'ipc', 'pid', 'mnt', 'cgroup', 'time'];
  const flags = ns.map((n) => NS_FLAG[n]);
  if (ns.includes('pid')) flags.push('--fork', '--mount-proc');
  else flags.push('--fork');
  if (ns.includes('user')) flags.push('--map-root-user');
  const inner = `${opts.setup ?? ''}\necho READY $$\nexec ${opts.exec ?? 'sleep 100000'}`;
  const script = `${opts.pre ?? ''}\nexec unshare ${flags.join(' ')} -- /bin/sh -c '${inner.replace(/'/g, `'\\''`)}'`;
  const child = spawn('/bin/sh', ['-c', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    cwd: opts.cwd,
  });
  live.add(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (b) => {
    err += b;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`target did not start: ${err}`)), 10_000);
    child.stdout.on('data', (b) => {
      out += b;
      if (out.includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`target exited ${code}: ${err}${out}`));
    });
  });
  const outerPid = child.pid!;
  const children = readFileSync(`/proc/${outerPid}/task/${outerPid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const pid = children[0]!;
  if (!pid) throw new Error('target: no inner process');
  livePids.add(pid);
  return {
    pid,
    outerPid,
    kill() {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
      livePids.delete(pid);
      live.delete(child);
    },
  };
}
