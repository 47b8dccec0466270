// The exec floor (bench/floor.c): built here with the C compiler node-gyp needs anyway (cc from
// PATH) into .cache/bench/, never committed, and kept running as a small child process that
// performs one spawn per request and answers with the nanoseconds it took. Timed by itself, so
// the pipe round trip to it is not counted.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'floor.c');
const binary = join(here, '..', '.cache', 'bench', 'floor');

/** Compiles bench/floor.c when the binary is missing or older than the source; returns its path. */
export function buildFloor(): string {
  let fresh = false;
  try {
    fresh = statSync(binary).mtimeMs >= statSync(source).mtimeMs;
  } catch {
    /* not built yet */
  }
  if (!fresh) {
    mkdirSync(dirname(binary), { recursive: true });
    execFileSync(process.env.CC ?? 'cc', ['-O2', '-Wall', '-Wextra', '-o', binary, source], { stdio: 'inherit' });
  }
  return binary;
}

/** A running floor process: `run(pid, time)` does one spawn and resolves to its duration in ms. */
export interface Floor {
  run(pid: number, time?: boolean): Promise<number>;
  close(): void;
}

export function startFloor(): Floor {
  const child: ChildProcess = spawn(buildFloor(), [], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = '';
  const waiting: Array<{ resolve: (ms: number) => void; reject: (e: Error) => void }> = [];
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (s: string) => {
    buf += s;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const w = waiting.shift();
      if (!w) continue;
      if (/^\d+$/.test(line)) w.resolve(Number(line) / 1e6);
      else w.reject(new Error(`bench floor: ${line}`));
    }
  });
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`bench floor exited ${code}`));
  });
  return {
    run: (pid, time = false) =>
      new Promise<number>((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin!.write(`${pid} ${time ? 1 : 0}\n`);
      }),
    close: () => {
      child.stdin!.end();
      child.kill('SIGKILL');
    },
  };
}
