// Test cgroups on the real kernel: one cgroup made in every needed v1 hierarchy (this host: each
// controller mounted alone) or in cgroup2 (a pure v2 host, e.g. the qemu rig), processes started
// inside it, and everything removed afterwards, also when a test fails: processes are killed
// first, then we wait until cgroup.procs is empty, then children are removed before parents.
// Independent of lib/ on purpose: it reads mountinfo and /proc/self/cgroup itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HostCgroups {
  /** 2 when /sys/fs/cgroup itself is cgroup2 (pure v2); 1 when v1 controllers are mounted (v1 or hybrid). */
  version: 1 | 2;
  /** v1: mount point of each controller's hierarchy. */
  v1: Record<string, string>;
  /** Where cgroup2 is mounted, if it is. */
  v2?: string;
}

function mounts(): { mountPoint: string; fsType: string; superOptions: string[] }[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const f = line.split(' ');
      const sep = f.indexOf('-', 6);
      return { mountPoint: f[4]!.replace(/\\040/g, ' '), fsType: f[sep + 1]!, superOptions: f[sep + 3]!.split(',') };
    });
}

/** What this host has: pure cgroup v2 at /sys/fs/cgroup, or v1 hierarchies (plus maybe a cgroup2 mount). */
export function hostCgroups(): HostCgroups {
  const all = mounts();
  const v1: Record<string, string> = {};
  for (const m of all.filter((m) => m.fsType === 'cgroup')) for (const o of m.superOptions) v1[o] ??= m.mountPoint;
  const v2 = all.find((m) => m.fsType === 'cgroup2')?.mountPoint;
  const pure = all.some((m) => m.mountPoint === '/sys/fs/cgroup' && m.fsType === 'cgroup2');
  return { version: pure ? 2 : 1, v1, ...(v2 ? { v2 } : {}) };
}

/** How nsjoin names this host's layout: 'v2' (pure), 'hybrid' (v1 and a cgroup2 mount) or 'v1'. */
export function hostMode(): 'v1' | 'v2' | 'hybrid' {
  const h = hostCgroups();
  return h.version === 2 ? 'v2' : h.v2 ? 'hybrid' : 'v1';
}

/** Our own cgroup path in each v1 hierarchy, by controller. */
function ownV1Paths(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    for (const c of line.slice(a + 1, b).split(',')) if (c) out[c] = line.slice(b + 1);
  }
  return out;
}

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

export interface TestCgroup {
  version: 1 | 2;
  /** Directory per controller (v2: the same directory for all). */
  dirs: Record<string, string>;
  /** Shell that moves the running shell ($$) into the cgroup, in every hierarchy. */
  enter: string;
  /** Writes a control file; the controller is the file name's first part (memory.max -> memory). */
  set(fileName: string, value: string | number): void;
  /** Reads a control file of the right hierarchy, by hand. */
  read(fileName: string): string;
  has(fileName: string): boolean;
  /** Pids in the cgroup (the first hierarchy's cgroup.procs). */
  procs(): number[];
  /** Pids in the cgroup of every hierarchy (after `enter`, each is written in turn). */
  procsEverywhere(): number[];
  /** A child cgroup (v2: the controllers are enabled in this one's subtree_control). */
  child(tag: string): TestCgroup;
  /** Kills what runs inside, waits until it is empty, removes it (children first). */
  remove(): Promise<void>;
}

const created: { dirs: string[]; children: TestCgroup[] }[] = [];
const started = new Set<ChildProcess>();

function dirFor(cg: { dirs: Record<string, string> }, fileName: string): string {
  const ctl = fileName.split('.')[0]!;
  const dir = cg.dirs[ctl] ?? (ctl === 'cgroup' ? Object.values(cg.dirs)[0] : undefined);
  if (!dir) throw new Error(`test cgroup has no ${ctl} controller`);
  return dir;
}

function pidsIn(dirs: string[]): number[] {
  const all = new Set<number>();
  for (const d of dirs) {
    try {
      for (const p of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (p) all.add(Number(p));
    } catch {
      /* removed */
    }
  }
  return [...all];
}

function destroySync(dirs: string[]): void {
  for (let i = 0; i < 250; i++) {
    const pids = pidsIn(dirs);
    if (pids.length === 0) break;
    for (const pid of pids)
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    sleepSync(20);
  }
  for (const d of dirs) {
    for (let i = 0; i < 50 && existsSync(d); i++) {
      try {
        rmdirSync(d);
      } catch {
        sleepSync(20);
      }
    }
  }
}

process.on('exit', () => {
  for (const c of started)
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  // Deepest first: children were registered after their parents.
  for (const entry of [...created].reverse()) destroySync(entry.dirs);
});

function build(version: 1 | 2, dirs: Record<string, string>): TestCgroup {
  const unique = [...new Set(Object.values(dirs))];
  const entry = { dirs: unique, children: [] as TestCgroup[] };
  created.push(entry);
  const cg: TestCgroup = {
    version,
    dirs,
    enter: unique.map((d) => `echo $$ > '${d}/cgroup.procs'`).join('\n'),
    set(fileName, value) {
      writeFileSync(join(dirFor(cg, fileName), fileName), String(value));
    },
    read(fileName) {
      return readFileSync(join(dirFor(cg, fileName), fileName), 'utf8');
    },
    has(fileName) {
      try {
        return existsSync(join(dirFor(cg, fileName), fileName));
      } catch {
        return false;
      }
    },
    procs() {
      return pidsIn(unique.slice(0, 1));
    },
    procsEverywhere() {
      const per = unique.map((d) => new Set(pidsIn([d])));
      return [...per[0]!].filter((p) => per.every((s) => s.has(p)));
    },
    child(tag) {
      const name = `nsjoin-test-${tag}-${process.pid}`;
      if (version === 2) {
        const parent = unique[0]!;
        const enable = readFileSync(join(parent, 'cgroup.controllers'), 'utf8')
          .trim()
          .split(/\s+/)
          .filter((c) => ['cpu', 'memory', 'pids', 'io'].includes(c));
        writeFileSync(join(parent, 'cgroup.subtree_control'), enable.map((c) => `+${c}`).join(' '));
      }
      const childDirs: Record<string, string> = {};
      for (const [ctl, d] of Object.entries(dirs)) childDirs[ctl] = join(d, name);
      for (const d of new Set(Object.values(childDirs))) mkdirSync(d);
      const child = build(version, childDirs);
      entry.children.push(child);
      return child;
    },
    async remove() {
      for (const c of entry.children) await c.remove();
      for (let i = 0; i < 250; i++) {
        const pids = pidsIn(unique);
        if (pids.length === 0) break;
        for (const pid of pids)
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        await new Promise((r) => setTimeout(r, 20));
      }
      destroySync(unique);
      const at = created.indexOf(entry);
      if (at >= 0) created.splice(at, 1);
    },
  };
  return cg;
}

/**
 * Makes `nsjoin-test-<tag>-<pid>`: on v1 in each of `controllers`' hierarchies, below our own cgroup
 * there; on pure v2 below the cgroup2 root, with the controllers enabled in the root's subtree_control.
 */
export function makeCgroup(tag: string, controllers: string[] = ['cpu', 'cpuacct', 'memory', 'pids', 'blkio']): TestCgroup {
  const host = hostCgroups();
  const name = `nsjoin-test-${tag}-${process.pid}`;
  if (host.version === 2) {
    const root = host.v2!;
    const available = readFileSync(join(root, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
    const want = [...new Set(controllers.map((c) => (c === 'blkio' ? 'io' : c)))].filter((c) => available.includes(c));
    writeFileSync(join(root, 'cgroup.subtree_control'), want.map((c) => `+${c}`).join(' '));
    const dir = join(root, name);
    mkdirSync(dir);
    return build(2, Object.fromEntries(want.map((c) => [c, dir])));
  }
  const own = ownV1Paths();
  const dirs: Record<string, string> = {};
  for (const c of controllers) {
    const mp = host.v1[c];
    if (!mp) throw new Error(`cgroup v1 controller ${c} is not mounted`);
    dirs[c] = join(mp, own[c] ?? '/', name);
  }
  for (const d of new Set(Object.values(dirs))) mkdirSync(d);
  return build(1, dirs);
}

/** Sets the limits the v1 way or the v2 way. Memory in bytes, CPU as quota/period in us. */
export function setLimits(
  cg: TestCgroup,
  limits: { memory?: number; noSwap?: boolean; quotaUs?: number; periodUs?: number; pids?: number },
): void {
  if (limits.memory !== undefined) {
    if (cg.version === 2) {
      cg.set('memory.max', limits.memory);
      if (limits.noSwap && cg.has('memory.swap.max')) cg.set('memory.swap.max', 0);
    } else {
      cg.set('memory.limit_in_bytes', limits.memory);
      if (limits.noSwap && cg.has('memory.memsw.limit_in_bytes')) cg.set('memory.memsw.limit_in_bytes', limits.memory);
    }
  }
  if (limits.quotaUs !== undefined) {
    const period = limits.periodUs ?? 100000;
    if (cg.version === 2) cg.set('cpu.max', `${limits.quotaUs} ${period}`);
    else {
      cg.set('cpu.cfs_period_us', period);
      cg.set('cpu.cfs_quota_us', limits.quotaUs);
    }
  }
  if (limits.pids !== undefined) cg.set('pids.max', limits.pids);
}

export interface InCgroup {
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

/** Runs `sh -c '<enter>; exec <command>'` and resolves once the process sits in the cgroup. */
export async function runIn(cg: TestCgroup, command: string): Promise<InCgroup> {
  const child = spawn('/bin/sh', ['-c', `${cg.enter}\nexec ${command}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  started.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      started.delete(child);
      resolve({ code, signal });
    });
  });
  const pid = child.pid!;
  // Every hierarchy: `enter` moves the shell into them one after another.
  for (let i = 0; i < 1000 && !cg.procsEverywhere().includes(pid) && child.exitCode === null && child.signalCode === null; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    pid,
    child,
    exited,
    kill() {
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    },
  };
}
