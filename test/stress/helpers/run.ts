// Shared by the stress tests: running a TypeScript snippet in a separate Node process (so that a
// crash, an abort or a blocked event loop there is an observable outcome here, not the end of the
// test run), and counting what the current process has started.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { againstCopy, publicCopy } from '../../helpers/public-copy.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

const running = new Set<number>();
process.on('exit', () => {
  for (const pid of running)
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
});

export interface RunOptions {
  prefix?: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
  uid?: number;
  args?: string[];
}

let scriptSeq = 0;
/**
 * Runs `script` (TypeScript, an ES module; imports relative to the repository root, e.g.
 * './lib/index.ts') in a new process. The file is written under .cache/ of the repository so that
 * tsx compiles it and node_modules resolve. With `uid`, the script must be plain JavaScript: it runs
 * against the world-readable compiled copy (test/helpers/public-copy.ts).
 */
export async function runScript(script: string, opts: RunOptions = {}): Promise<Ran> {
  if (opts.uid !== undefined) {
    // Another uid may not read the checkout (a clone under /root): plain JS against the compiled copy.
    const file = join(publicCopy().root, `s-${process.pid}-${scriptSeq++}.mjs`);
    writeFileSync(file, againstCopy(script), { mode: 0o644 });
    try {
      return await runFile(file, opts);
    } finally {
      rmSync(file, { force: true });
    }
  }
  const dir = join(repoRoot, '.cache', 'stress-scripts');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `s-${process.pid}-${scriptSeq++}.ts`);
  writeFileSync(file, script.replace(/(from\s+|import\()'\.\/(lib|test|node_modules)\//g, `$1'${repoRoot}$2/`));
  try {
    return await runFile(file, opts);
  } finally {
    rmSync(file, { force: true });
  }
}

/**
 * Runs a TypeScript file with tsx in a new process group, optionally behind a command prefix such as
 * `unshare --pid --fork --mount-proc`. The whole group is killed after `timeoutMs` and when this
 * process exits.
 */
export function runFile(file: string, opts: RunOptions = {}): Promise<Ran> {
  const plain = file.endsWith('.mjs'); // compiled-copy scripts of runScript({ uid }): no tsx
  const argv = [...(opts.prefix ?? []), process.execPath, ...(plain ? [] : ['--import', 'tsx']), file, ...(opts.args ?? [])];
  return new Promise((resolve) => {
    const c = spawn(argv[0]!, argv.slice(1), {
      cwd: plain ? dirname(file) : repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
      ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid }),
    });
    running.add(c.pid!);
    let out = '',
      err = '';
    c.stdout!.on('data', (b) => {
      out += b;
    });
    c.stderr!.on('data', (b) => {
      err += b;
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, opts.timeoutMs ?? 120_000);
    c.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(c.pid!);
      resolve({ code, signal, out, err });
    });
  });
}

/** Direct children of this process (from /proc/self/task/X/children of every thread). */
export function ourChildren(): number[] {
  const out: number[] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      for (const p of readFileSync(`/proc/self/task/${tid}/children`, 'utf8').trim().split(/\s+/)) if (p) out.push(Number(p));
    } catch {
      /* thread gone */
    }
  }
  return out.sort((a, b) => a - b);
}

/** State letter of a process (R, S, Z, ...), or undefined when it is gone. */
export function stateOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ')[0];
  } catch {
    return undefined;
  }
}

/** Every process whose environment holds `marker` (how tests find the programs they started). */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').includes(marker)) found.push(Number(name));
    } catch {
      /* gone or kernel thread */
    }
  }
  return found;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const fdCount = () => readdirSync('/proc/self/fd').length;
export const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
