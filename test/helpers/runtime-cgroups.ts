// Real cgroups named as container runtimes name them, for the container tests: below one test
// cgroup (nsjoin-test-<tag>-<pid>, made by makeCgroup in every hierarchy given), each path is made
// with mkdir in every hierarchy and a process is started in it. Everything is killed by pid and
// removed (deepest first) by remove(), and at exit if a test fails before that.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCgroup, setLimits, type TestCgroup } from './cgroup.js';

export interface RuntimeCgroups {
  base: TestCgroup;
  /** Directory of `path` in each controller's hierarchy. */
  dirs(path: string): Record<string, string>;
  /** Sets limits on `path` the v1 or the v2 way (what this host has); see setLimits. */
  limit(path: string, limits: Parameters<typeof setLimits>[1]): void;
  /** Starts a process (sleep, or `command`) in `path`; resolves with its pid once it is inside. */
  start(path: string, command?: string): Promise<number>;
  remove(): Promise<void>;
}

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};
const live = new Set<RuntimeCgroups>();
// Before test/helpers/cgroup.ts's own exit handler, which can only remove the base once it is empty.
process.prependListener('exit', () => {
  for (const r of live) void r.remove();
});

export function makeRuntimeCgroups(tag: string, paths: string[], controllers = ['memory', 'cpu', 'cpuacct', 'pids']): RuntimeCgroups {
  const base = makeCgroup(tag, controllers);
  const made: string[] = [];
  const children = new Set<ChildProcess>();
  // cgroup v2: a directory's controllers exist only when its parent enables them in
  // cgroup.subtree_control, so every directory above a path's leaf enables what it was given.
  const enable = (dir: string): void => {
    if (base.version !== 2) return;
    const have = readFileSync(join(dir, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
    const want = Object.keys(base.dirs).filter((c) => have.includes(c));
    if (want.length) writeFileSync(join(dir, 'cgroup.subtree_control'), want.map((c) => `+${c}`).join(' '));
  };
  for (const path of paths) {
    for (const root of new Set(Object.values(base.dirs))) {
      let dir = root;
      for (const part of path.split('/').filter(Boolean)) {
        enable(dir);
        dir = join(dir, part);
        if (!existsSync(dir)) {
          mkdirSync(dir);
          made.push(dir);
        }
      }
    }
  }
  const dirs = (path: string): Record<string, string> => Object.fromEntries(Object.entries(base.dirs).map(([c, d]) => [c, join(d, path)]));
  const procsIn = (): number[] => {
    const all: number[] = [];
    for (const d of made) {
      try {
        for (const p of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (p) all.push(Number(p));
      } catch {
        /* gone */
      }
    }
    return all;
  };
  const rt: RuntimeCgroups = {
    base,
    dirs,
    limit(path, limits) {
      const d = dirs(path);
      const at = (file: string): string => join(d[file.split('.')[0]!] ?? Object.values(d)[0]!, file);
      setLimits({ ...base, version: base.version, set: (f, v) => writeFileSync(at(f), String(v)), has: (f) => existsSync(at(f)) }, limits);
    },
    async start(path, command = 'sleep 100000') {
      const enter = [...new Set(Object.values(dirs(path)))].map((d) => `echo $$ > '${d}/cgroup.procs'`).join('\n');
      const child = spawn('/bin/sh', ['-c', `${enter}\nexec ${command}`], { stdio: 'ignore' });
      children.add(child);
      child.on('exit', () => children.delete(child));
      const pid = child.pid!;
      // Every hierarchy: the shell enters them one after another, and a reader may look at any.
      const all = [...new Set(Object.values(dirs(path)))];
      const inAll = () =>
        all.every((d) => {
          try {
            return readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n').includes(String(pid));
          } catch {
            return false;
          }
        });
      for (let i = 0; i < 1000; i++) {
        if (inAll()) return pid;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`process did not enter ${path}`);
    },
    async remove() {
      live.delete(rt);
      for (const c of children)
        try {
          c.kill('SIGKILL');
        } catch {
          /* gone */
        }
      for (let i = 0; i < 250 && procsIn().length > 0; i++) {
        for (const pid of procsIn())
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        sleepSync(20);
      }
      for (const d of [...made].sort((a, b) => b.length - a.length)) {
        for (let i = 0; i < 50 && existsSync(d); i++) {
          try {
            rmdirSync(d);
          } catch {
            sleepSync(20);
          }
        }
      }
      await base.remove();
    },
  };
  live.add(rt);
  return rt;
}
