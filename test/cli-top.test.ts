// nsjoin top under tmux, as a user sees it: a container (docker-named cgroup, 64 MiB limit, a busy
// loop held at 0.5 cores of quota) shown with its figures and sparkline rows; q quits with status 0.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { hostMode } from './helpers/cgroup.js';
import { BIN, nsjoin } from './helpers/cli.js';
import { makeRuntimeCgroups, type RuntimeCgroups } from './helpers/runtime-cgroups.js';

// Unique to this process: concurrent runs on the same host must not share a container id.
const ID = `70b0${(process.pid % 0x10000).toString(16).padStart(4, '0')}${'a1b2c3d4e5f60718'.repeat(4)}`.slice(0, 64);
const SESSION = `nsjoin-top-test-${process.pid}`;
let rt: RuntimeCgroups;
let pid: number;

const tmux = (...args: string[]): string => execFileSync('tmux', ['-u', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const killSession = (): void => {
  try {
    tmux('kill-session', '-t', SESSION);
  } catch {
    /* not running */
  }
};
process.on('exit', killSession);

test.before(async () => {
  // blkio (v2: io) too, so that the IO line has figures on v2, where a leaf has io.stat only when
  // its parent enables the controller.
  rt = makeRuntimeCgroups('cli-top', [`docker/${ID}`], ['memory', 'cpu', 'cpuacct', 'pids', 'blkio']);
  rt.limit(`docker/${ID}`, { memory: 64 * 1024 * 1024, quotaUs: 50000, periodUs: 100000 });
  pid = await rt.start(`docker/${ID}`, `/bin/sh -c 'while :; do :; done'`);
});
test.after(async () => {
  killSession();
  await rt.remove();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('top shows CPU against the quota, memory against the limit, sparklines; q quits with 0', async () => {
  tmux(
    'new-session',
    '-d',
    '-s',
    SESSION,
    '-x',
    '120',
    '-y',
    '24',
    `${process.execPath} ${BIN} top -i 500 ${ID.slice(0, 9)}; echo "EXIT=$?"; sleep 600`,
  );
  let screen = '';
  for (let i = 0; i < 60; i++) {
    await sleep(300);
    screen = tmux('capture-pane', '-p', '-t', SESSION);
    if ((screen.match(/^ {8}[▁▂▃▄▅▆▇█]{4,}$/gm) ?? []).length >= 4) break;
  }
  assert.match(
    screen,
    new RegExp(`^nsjoin top - ${ID.slice(0, 12)} \\(docker, pid ${pid}\\)  cgroup ${hostMode()}  every 0.5s  q quits$`, 'm'),
  );
  assert.match(screen, /^CPU\s+[\d.]+%\s+[\d.]+ of 0\.5 cores quota\s+[\d.]+% of quota\s+throttled [\d.]+%$/m);
  assert.match(screen, /^Memory\s+\S+ of 64Mi\s+[\d.]+%\s+cache \S+\s+OOM kills 0$/m);
  assert.match(screen, /^IO\s+read \S+\/s\s+write \S+\/s$/m);
  assert.match(screen, /^Net\s+rx \S+\/s\s+tx \S+\/s {2}\(\S.*\)$/m);
  assert.match(screen, /^PIDs\s+1 of unlimited$/m);
  const sparklines = screen.match(/^ {8}[▁▂▃▄▅▆▇█]{4,}$/gm) ?? [];
  assert.is(sparklines.length, 4, screen);
  // Held at 50%: a 500 ms window can hold parts of 6 periods of 100 ms, so at most 6 x 50 ms = 60%.
  const cpu = Number(/^CPU\s+([\d.]+)%/m.exec(screen)![1]);
  assert.ok(cpu <= 65, `CPU ${cpu}%`);
  tmux('send-keys', '-t', SESSION, 'q');
  for (let i = 0; i < 40 && !screen.includes('EXIT='); i++) {
    await sleep(100);
    screen = tmux('capture-pane', '-p', '-t', SESSION);
  }
  assert.match(screen, /^EXIT=0$/m);
  killSession();
});

test('top --json -n 3 prints three JSON lines and exits', async () => {
  const r = await nsjoin(['top', '--json', '-n', '3', '-i', '500', ID.slice(0, 9)], { timeoutMs: 120_000 }); // node starts slowly under TCG
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { pid: number; rates: { cpu: { cores: number } }; memory: { total: number } });
  assert.is(lines.length, 3);
  for (const l of lines) {
    assert.is(l.pid, pid);
    assert.is(l.memory.total, 64 * 1024 * 1024);
    assert.ok(l.rates.cpu.cores <= 0.65, `cores ${l.rates.cpu.cores}`); // see above: at most 6 periods' quota in 500 ms
  }
});

test.run();
