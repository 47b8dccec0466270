// Real containers for the tests: docker, podman and a standalone containerd (ctr), started from the
// local images that scripts/runtimes/start.sh makes (npm run test:runtimes runs it first). Every
// container gets a name unique to this test process and is removed by name when the process exits,
// also when a test fails or the process is interrupted.
import { execFileSync, spawnSync } from 'node:child_process';
import { test as uvuTest } from 'uvu';

export const IMAGE = 'nsjoin-test/busybox';
export const SLEEP_ONLY_IMAGE = 'nsjoin-test/sleeponly';
export const CTR_IMAGE = 'localhost/nsjoin-test/busybox:latest';

/** A CRI pod's container as `ctr run` lays it out: the `--annotation` flags containerd's CRI plugin sets. */
export function criAnnotations(p: {
  uid: string;
  pod: string;
  namespace: string;
  sandboxId: string;
  type: 'sandbox' | 'container';
  name?: string;
}): string[] {
  const a = [
    `container-type=${p.type}`,
    `sandbox-name=${p.pod}`,
    `sandbox-namespace=${p.namespace}`,
    `sandbox-uid=${p.uid}`,
    `sandbox-id=${p.sandboxId}`,
    `image-name=${CTR_IMAGE}`,
  ];
  if (p.name) a.push(`container-name=${p.name}`);
  return a.flatMap((x) => ['--annotation', `io.kubernetes.cri.${x}`]);
}
/** podman without systemd: cgroupfs manager and file events; rlimits within this host's hard limits. */
export const PODMAN_GLOBAL = ['--cgroup-manager=cgroupfs', '--events-backend=file'];
export const PODMAN_RUN = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

export type Runtime = 'docker' | 'podman' | 'ctr';

export interface RealContainer {
  runtime: Runtime;
  /** The runtime's name for it (ctr: the container id). */
  name: string;
  /** Full id (docker/podman: 64 hex; ctr: the name). */
  id: string;
  /** Host pid of its first process. */
  pid: number;
  remove(): void;
}

const live = new Map<string, Runtime>();
let seq = 0;

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    timeout: 120_000,
  });
}
function runQuiet(cmd: string, args: string[]): void {
  spawnSync(cmd, args, { stdio: 'ignore', timeout: 60_000 });
}

/** `docker ...` (stdout, trimmed); throws with stderr on a non-zero exit. */
export const docker = (...args: string[]): string => run('docker', args).trim();
/** `podman --cgroup-manager=cgroupfs --events-backend=file ...` */
export const podman = (...args: string[]): string => run('podman', [...PODMAN_GLOBAL, ...args]).trim();
/** `ctr -n k8s.io ...` against the standalone containerd. */
export const ctr = (...args: string[]): string => run('ctr', ['-n', 'k8s.io', ...args]).trim();

function removeNow(name: string, runtime: Runtime): void {
  if (runtime === 'docker') runQuiet('docker', ['rm', '-f', '-v', name]);
  else if (runtime === 'podman') runQuiet('podman', [...PODMAN_GLOBAL, 'rm', '-f', '-t', '0', '-v', name]);
  else {
    runQuiet('ctr', ['-n', 'k8s.io', 'task', 'kill', '-s', 'SIGKILL', name]);
    for (let i = 0; i < 50; i++) {
      const r = spawnSync('ctr', ['-n', 'k8s.io', 'task', 'delete', name], { stdio: 'ignore' });
      if (r.status === 0) break;
      spawnSync('sleep', ['0.1']);
    }
    runQuiet('ctr', ['-n', 'k8s.io', 'task', 'delete', '-f', name]);
    runQuiet('ctr', ['-n', 'k8s.io', 'containers', 'delete', name]);
  }
  live.delete(name);
}
function removeAll(): void {
  for (const [name, runtime] of [...live]) removeNow(name, runtime);
}
process.on('exit', removeAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    removeAll();
    process.exit(130);
  });

/** A name unique to this test process: nsjoin-t-PID-N[-hint]. */
export function uniqueName(hint = ''): string {
  return `nsjoin-t-${process.pid}-${++seq}${hint ? `-${hint}` : ''}`;
}

function made(runtime: Runtime, name: string, id: string, pid: number): RealContainer {
  return { runtime, name, id, pid, remove: () => removeNow(name, runtime) };
}

export interface StartOptions {
  /** Runtime flags before the image (e.g. ['--memory', '64m', '--cpus', '0.5']). */
  flags?: string[];
  image?: string;
  /** The command (default: sleep 100000). */
  cmd?: string[];
  name?: string;
}

/** `docker run -d` and waits for its pid. */
export function startDocker(o: StartOptions = {}): RealContainer {
  const name = o.name ?? uniqueName();
  live.set(name, 'docker');
  const id = docker('run', '-d', '--name', name, ...(o.flags ?? []), o.image ?? IMAGE, ...(o.cmd ?? (o.image ? [] : ['sleep', '100000'])));
  const pid = Number(docker('inspect', '-f', '{{.State.Pid}}', name));
  return made('docker', name, id, pid);
}

/** `podman run -d` (with this host's rlimits) and waits for its pid. */
export function startPodman(o: StartOptions = {}): RealContainer {
  const name = o.name ?? uniqueName();
  live.set(name, 'podman');
  const id = podman(
    'run',
    '-d',
    '--name',
    name,
    ...PODMAN_RUN,
    ...(o.flags ?? []),
    o.image ?? `localhost/${IMAGE}`,
    ...(o.cmd ?? ['sleep', '100000']),
  );
  const pid = Number(podman('inspect', '-f', '{{.State.Pid}}', name));
  return made('podman', name, id, pid);
}

/** `ctr -n k8s.io run -d` on the standalone containerd; flags such as --cgroup, --annotation, --with-ns. */
export function startCtr(o: StartOptions = {}): RealContainer {
  const name = o.name ?? uniqueName();
  live.set(name, 'ctr');
  run('ctr', ['-n', 'k8s.io', 'run', '-d', ...(o.flags ?? []), o.image ?? CTR_IMAGE, name, ...(o.cmd ?? ['sleep', '100000'])]);
  let pid = 0;
  for (let i = 0; i < 100 && !pid; i++) {
    // TASK PID STATUS
    const line = ctr('task', 'ls')
      .split('\n')
      .find((l) => l.split(/\s+/)[0] === name);
    pid = line?.includes('RUNNING') ? Number(line.split(/\s+/)[1]) : 0;
    if (!pid) spawnSync('sleep', ['0.05']);
  }
  if (!pid) throw new Error(`ctr task ${name} has no pid`);
  return made('ctr', name, name, pid);
}

/** Which runtimes answer here, and why not where one does not. */
export function runtimeProblems(): Partial<Record<Runtime, string>> {
  const out: Partial<Record<Runtime, string>> = {};
  const probe = (rt: Runtime, cmd: string, args: string[]): void => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
    if (r.error || r.status !== 0) out[rt] = `${cmd} ${args.join(' ')}: ${r.error?.message ?? r.stderr.trim().split('\n').pop()}`;
  };
  probe('docker', 'docker', ['image', 'inspect', IMAGE]);
  probe('podman', 'podman', [...PODMAN_GLOBAL, 'image', 'exists', `localhost/${IMAGE}`]);
  probe('ctr', 'ctr', ['-n', 'k8s.io', 'images', 'check', `name==${CTR_IMAGE}`]);
  return out;
}

const problems = runtimeProblems();

/**
 * A test that needs `runtime`: registered as a skip with the reason printed where that runtime is not
 * up. In CI (CI=true) scripts/runtimes/start.sh brings every runtime up, so a skip there is a failure.
 */
export function withRuntime(runtime: Runtime, name: string, fn: () => void | Promise<void>): void {
  const why = problems[runtime];
  if (!why) {
    uvuTest(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    uvuTest(name, () => {
      throw new Error(`${runtime} is not up in CI: ${why}`);
    });
    return;
  }
  console.log(`SKIP ${name}: ${runtime} is not up (${why}); run scripts/runtimes/start.sh`);
  uvuTest.skip(name, fn);
}
