// The attacker program of the hostile-container tests (test/runtimes/hostile/attacker.c), built
// static with the host's gcc once per test process into a temp dir removed at exit, for
// bind-mounting into a busybox container (`-v PATH:/attacker:ro`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('../runtimes/hostile/attacker.c', import.meta.url));
let built: string | undefined;

/** Path of the static attacker binary (built on first use; gcc and libc.a are what node-gyp needs anyway). */
export function attackerBinary(): string {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), 'nsjoin-attacker-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'attacker');
  execFileSync('gcc', ['-static', '-O2', '-Wall', '-o', out, SOURCE], { stdio: ['ignore', 'ignore', 'pipe'] });
  built = out;
  return out;
}

/** Temp dirs on the host that are removed at exit. */
export function hostTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
