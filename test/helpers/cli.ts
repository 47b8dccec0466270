// Runs the built nsjoin command line as a user does: `node dist/cli/main.js ARGS`, stdio captured.
// The test suite builds before it runs (npm test); run `npm run build` first when running one file.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export function nsjoin(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; wrap?: string[] } = {}): Promise<CliResult> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);
  const argv = [...(options.wrap ?? []), process.execPath, BIN, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => { stdout += b; });
    child.stderr.on('data', (b) => { stderr += b; });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (status, signal) => { clearTimeout(timer); resolve({ status, signal, stdout, stderr }); });
  });
}
