// What the bench makes and always removes: targets in fresh namespaces (util-linux unshare, as the
// tests do) and cgroups with a sleeping process in each. Everything is killed by pid and removed
// on exit, also when a group throws or the run is interrupted.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Targets and the processes in the bench's cgroups are tracked apart: removing the cgroups after
// their group must not kill the targets that later groups still use.
const pids = new Set<number>();
const children = new Set<ChildProcess>();
const cgroupPids = new Set<number>();
const cgroupChildren = new Set<ChildProcess>();
const cgroupDirs: string[] = [];

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

function killAll(p: Set<number>, c: Set<ChildProcess>): void {
  for (const pid of p)
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  for (const child of c)
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  p.clear();
  c.clear();
}

function procsIn(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Kills what is left in the bench's cgroups and removes them, deepest first. */
export function removeCgroupsSync(): void {
  killAll(cgroupPids, cgroupChildren);
  for (const dir of [...cgroupDirs].reverse()) {
    for (let i = 0; i < 250; i++) {
      const left = procsIn(dir);
      if (left.length === 0) break;
      for (const pid of left)
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      sleepSync(10);
    }
    for (let i = 0; i < 100 && existsSync(dir); i++) {
      try {
        rmdirSync(dir);
      } catch {
        sleepSync(10);
      }
    }
  }
  cgroupDirs.length = 0;
}

const cleanUp = (): void => {
  killAll(pids, children);
  removeCgroupsSync();
};
process.on('exit', cleanUp);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    cleanUp();
    process.exit(130);
  });
}

export interface BenchTarget {
  pid: number;
  kill(): void;
}

/**
 * A process in fresh namespaces: uts, net, ipc, pid, mnt, cgroup by default (what a container
 * has); `time` adds a time namespace. Resolves once the inner process has settled.
 */
export async function startTarget(ns: string[] = ['uts', 'net', 'ipc', 'pid', 'mount', 'cgroup']): Promise<BenchTarget> {
  // Also when the bench dies without running its exit handlers (a crash in an addon): setpriv makes
  // the kernel kill unshare with us, and --kill-child makes unshare take the target with it.
  const flags = ns.map((n) => `--${n}`).concat(['--fork', '--kill-child', '--mount-proc']);
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', 'unshare', ...flags, '--', '/bin/sh', '-c', 'echo READY; exec sleep 100000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' },
  });
  children.add(child);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('bench target did not start')), 10_000);
    child.stdout.on('data', (b) => {
      out += b;
      if (out.includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`unshare exited ${code}`));
    });
  });
  const outer = child.pid!;
  const inner = Number(readFileSync(`/proc/${outer}/task/${outer}/children`, 'utf8').trim().split(/\s+/)[0]);
  if (!inner) throw new Error('bench target: no inner process');
  // The inner shell execs sleep: wait until it has, so that the target's environ and cwd are stable.
  for (let i = 0; i < 200 && !readFileSync(`/proc/${inner}/comm`, 'utf8').startsWith('sleep'); i++) sleepSync(5);
  pids.add(inner);
  child.stdout.destroy();
  return {
    pid: inner,
    kill() {
      try {
        process.kill(inner, 'SIGKILL');
      } catch {
        /* gone */
      }
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
      pids.delete(inner);
      children.delete(child);
    },
  };
}

/** v1 mount point of each controller, and the cgroup2 mount, from our mountinfo. */
function hierarchies(): { v1: Record<string, string>; v2?: string; pureV2: boolean } {
  const v1: Record<string, string> = {};
  let v2: string | undefined,
    pureV2 = false;
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    const mp = f[4]!.replace(/\\040/g, ' '),
      fs = f[sep + 1];
    if (fs === 'cgroup') for (const o of f[sep + 3]!.split(',')) v1[o] ??= mp;
    if (fs === 'cgroup2') {
      v2 ??= mp;
      if (mp === '/sys/fs/cgroup') pureV2 = true;
    }
  }
  return pureV2 ? { v1: {}, v2: v2!, pureV2 } : { v1, ...(v2 ? { v2 } : {}), pureV2 };
}

function ownPaths(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    const a = line.indexOf(':'),
      b = line.indexOf(':', a + 1);
    const ctl = line.slice(a + 1, b);
    if (ctl === '') out[''] = line.slice(b + 1);
    else for (const c of ctl.split(',')) out[c] = line.slice(b + 1);
  }
  return out;
}

const CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids', 'blkio'];

/**
 * Makes `count` container-like cgroups, `docker/<64 hex id>` below a bench parent below our own
 * cgroup, in each v1 hierarchy of CONTROLLERS (pure v2: in cgroup2), with one sleeping process in
 * each. Returns their ids and pids.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- async so that a failure to make them is a rejection, as callers await it
export async function makeContainers(count: number): Promise<Array<{ id: string; pid: number }>> {
  const h = hierarchies();
  const own = ownPaths();
  const parentName = `nsjoin-bench-${process.pid}`;
  const bases: string[] = [];
  if (h.pureV2) {
    const root = h.v2!;
    const avail = readFileSync(join(root, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
    const want = ['cpu', 'memory', 'pids', 'io'].filter((c) => avail.includes(c));
    writeFileSync(join(root, 'cgroup.subtree_control'), want.map((c) => `+${c}`).join(' '));
    bases.push(join(root, parentName));
  } else {
    const seen = new Set<string>();
    for (const c of CONTROLLERS) {
      const mp = h.v1[c];
      if (!mp || seen.has(mp)) continue;
      seen.add(mp);
      bases.push(join(mp, own[c] ?? '/', parentName));
    }
  }
  for (const b of bases) {
    mkdirSync(b);
    cgroupDirs.push(b);
    mkdirSync(join(b, 'docker'));
    cgroupDirs.push(join(b, 'docker'));
    if (h.pureV2) {
      writeFileSync(
        join(b, 'cgroup.subtree_control'),
        readFileSync(join(h.v2!, 'cgroup.subtree_control'), 'utf8')
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map((c) => `+${c}`)
          .join(' '),
      );
      writeFileSync(
        join(b, 'docker', 'cgroup.subtree_control'),
        readFileSync(join(b, 'cgroup.subtree_control'), 'utf8')
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map((c) => `+${c}`)
          .join(' '),
      );
    }
  }
  const out: Array<{ id: string; pid: number }> = [];
  for (let i = 0; i < count; i++) {
    const id = `${process.pid.toString(16)}b3c0${i.toString(16).padStart(6, '0')}`.padEnd(64, 'e').slice(0, 64);
    const dirs = bases.map((b) => join(b, 'docker', id));
    for (const d of dirs) {
      mkdirSync(d);
      cgroupDirs.push(d);
    }
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', 'sleep', '100000'], { stdio: 'ignore' });
    cgroupChildren.add(child);
    const pid = child.pid!;
    cgroupPids.add(pid);
    for (const d of dirs) writeFileSync(join(d, 'cgroup.procs'), String(pid));
    out.push({ id, pid });
  }
  return out;
}
