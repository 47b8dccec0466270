// For the `nsjoin serve` tests: start the built CLI on a free loopback port and stop it by pid, fetch
// /metrics, parse the text format into samples, and run promtool / prometheus from Debian's package
// (unpacked by scripts/runtimes/prometheus.sh, which installs nothing).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { listContainers } from '../../lib/index.js';
import { BIN } from './cli.js';
import { runtimeProblems, startDocker } from './runtimes.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses text format 0.0.4 sample lines (comments skipped); label values unescaped. */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
    for (let l; (l = re.exec(m[2] ?? '')) !== null;) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
    const v = m[3]!;
    out.push({ name: m[1]!, labels, value: v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v) });
  }
  return out;
}

/** The one sample of `name` whose id label ends with `idSuffix` (and matches `more`). */
export function pick(samples: Sample[], name: string, idSuffix: string, more: Record<string, string> = {}): Sample | undefined {
  const found = samples.filter(
    (s) => s.name === name && s.labels['id']?.endsWith(idSuffix) && Object.entries(more).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} for ${idSuffix}`);
  return found[0];
}

export interface Served {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running)
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
});

/** Starts `nsjoin serve --listen 127.0.0.1:0 ...` and resolves with its metrics URL once it listens. */
export function startServe(args: string[] = ['--listen', '127.0.0.1:0']): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nsjoin serve did not start: ${err}`));
    }, 20_000);
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on (http:\/\/\S+\/metrics)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!,
          child,
          stderr: () => err,
          stop: (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then((r) => {
      clearTimeout(timer);
      reject(new Error(`nsjoin serve exited ${r.code ?? r.signal}: ${err}`));
    });
  });
}

/** GET a URL: status, headers and body. */
export async function get(url: string, init: RequestInit = {}): Promise<{ status: number; type: string; body: string }> {
  const r = await fetch(url, init);
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() };
}

let binDir: string | undefined;
/** The directory holding prometheus and promtool (unpacked on first use by scripts/runtimes/prometheus.sh). */
export function prometheusBin(): string {
  binDir ??= execFileSync('bash', [fileURLToPath(new URL('../../scripts/runtimes/prometheus.sh', import.meta.url))], {
    encoding: 'utf8',
    timeout: 300_000,
  }).trim();
  return binDir;
}

/** `promtool check metrics` on `text`: its exit status and what it printed. */
export function promtoolCheck(text: string): { status: number; output: string } {
  try {
    const out = execFileSync(`${prometheusBin()}/promtool`, ['check', 'metrics'], {
      input: text,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return { status: 0, output: out };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { status: err.status, output: `${err.stdout}${err.stderr}` };
  }
}

let known: boolean | undefined;
/**
 * Whether listContainers() names containers and their images (the real-runtimes work, issue 12):
 * asked of a docker container started for the question and removed at once. false without docker.
 */
export function namesAndImagesKnown(): boolean {
  if (known === undefined) {
    known = false;
    if (!runtimeProblems().docker) {
      const c = startDocker();
      try {
        const found = listContainers().find((x) => x.id === c.id) as { name?: string; image?: string } | undefined;
        known = Boolean(found?.name && found.image);
      } finally {
        c.remove();
      }
    }
  }
  return known;
}
