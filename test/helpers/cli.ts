// Runs the built nsjoin command line as a user does: `node dist/cli/main.js ARGS`, stdio captured.
// The test suite builds before it runs (npm test); run `npm run build` first when running one file.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { publicCopy } from './public-copy.js';

export const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI with `args`. `wrap`: a command prefix (e.g. setpriv to another uid); the CLI then runs
 * from the world-readable compiled copy, which that uid can read even when the checkout is mode 700.
 */
export function nsjoin(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; wrap?: string[] } = {}): Promise<CliResult> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);
  const argv = [...(options.wrap ?? []), process.execPath, options.wrap ? publicCopy().cli : BIN, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      ...(options.wrap ? { cwd: publicCopy().root } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => {
      stdout += b;
    });
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}
