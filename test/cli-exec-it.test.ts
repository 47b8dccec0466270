// `nsjoin exec` as a user runs it: -it under tmux (a real terminal: send-keys, capture-pane),
// window size following the terminal, ^C, exit status, the terminal restored; signals sent to
// the CLI reaching the program; the program not outliving the CLI.
import { execFile as execFileCb, spawn as spawnCb } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseExecArgs } from '../lib/cli/exec.js';
import { startTarget, type Target } from './helpers/target.js';

const run = promisify(execFileCb);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let t: Target;
let dir: string;
let runner: string;
const socket = `nsjoin-test-${process.pid}`;
const sessions: string[] = [];
const cliPids = new Set<number>();

test.before(async () => {
  t = await startTarget({ setup: 'hostname cli-target' });
  dir = mkdtempSync(join(tmpdir(), 'nsjoin-cli-'));
  runner = join(dir, 'nsjoin-exec.mjs');
  // What lib/cli/main.ts does for `nsjoin exec ...`, plus a pid file so the test can signal it.
  writeFileSync(
    runner,
    `import { writeFileSync } from 'node:fs';
if (process.env.NSJOIN_PIDFILE) writeFileSync(process.env.NSJOIN_PIDFILE, String(process.pid));
const m = await import(${JSON.stringify(join(process.cwd(), 'lib/cli/exec.ts'))});
const [command, ...rest] = process.argv.slice(2);
if (command !== 'exec') throw new Error('only exec');
try { process.exitCode = await m.execCommand(rest); }
catch (e) { process.stderr.write('nsjoin: ' + e.message + '\\n'); process.exitCode = 1; }
`,
  );
});
test.after(async () => {
  for (const s of sessions) await run('tmux', ['-L', socket, 'kill-session', '-t', s]).catch(() => {});
  await run('tmux', ['-L', socket, 'kill-server']).catch(() => {});
  for (const pid of cliPids)
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  t?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const tmux = (...args: string[]) => run('tmux', ['-L', socket, ...args]).then((r) => r.stdout);
const pane = (s: string) => tmux('capture-pane', '-p', '-t', s);
// Deadlines only bound a hang (each wait returns as soon as the text is there): generous, since
// node with tsx takes well over 8 s to start under qemu's TCG on a loaded host.
const DEADLINE_MS = 60_000;
async function waitPane(s: string, re: RegExp, ms = DEADLINE_MS): Promise<string> {
  const start = Date.now();
  for (;;) {
    const text = await pane(s);
    if (re.test(text)) return text;
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${re} in pane:\n${text}`);
    await sleep(50);
  }
}
// A detached 80x24 tmux session running `cmd` in this directory.
const newSession = (s: string, cmd: string) =>
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', s, '-x', '80', '-y', '24', '-c', process.cwd(), cmd);
const nodeCmd = (pidfile: string, args: string) => `env NSJOIN_PIDFILE=${pidfile} ${process.execPath} --import tsx ${runner} ${args}`;

test('-it under tmux: a shell with a terminal, size that follows the window, ^C, exit status, terminal restored', async () => {
  const s = 'it';
  sessions.push(s);
  const pidfile = join(dir, 'it.pid');
  await newSession(
    s,
    `${nodeCmd(pidfile, `exec -it -t ${t.pid} -- sh`)}; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo; sleep 600`,
  );
  await waitPane(s, /^#\s*$/m);
  const size = async () => (await tmux('display', '-p', '-t', s, '#{pane_height} #{pane_width}')).trim();
  await tmux('send-keys', '-t', s, 'clear; tty; hostname; echo term=$TERM; stty size', 'Enter');
  let text = await waitPane(s, /^\d+ \d+$/m);
  assert.match(text, /^term=(screen|tmux)/m, "TERM is the terminal's, not unset");
  assert.match(text, /^\/dev\/pts\/\d+$/m);
  assert.match(text, /^cli-target$/m);
  assert.match(text, new RegExp(`^${await size()}$`, 'm'), 'stty size is the pane size');

  await tmux('resize-window', '-t', s, '-x', '100', '-y', '30');
  await sleep(300);
  const bigger = await size();
  assert.is.not(bigger, '23 80');
  await tmux('send-keys', '-t', s, 'clear; stty size', 'Enter');
  await waitPane(s, new RegExp(`^${bigger}$`, 'm'));

  await tmux('send-keys', '-t', s, 'clear; sleep 30; echo after-sleep-$?', 'Enter');
  await sleep(400);
  await tmux('send-keys', '-t', s, 'C-c');
  await waitPane(s, /after-sleep-130|\^C/);
  await tmux('send-keys', '-t', s, 'exit 7', 'Enter');
  // Wait for the stty line printed after EXIT= too (waiting for EXIT= alone raced with it).
  text = await waitPane(s, /EXIT=\d+\n.*(^|\s)-?echo(\s|$)/m);
  assert.match(text, /EXIT=7/);
  // Cooked mode again for the shell that ran nsjoin.
  assert.match(text, /(^|\s)icanon echo(\s|$)/m);
});

test("-it: killing the CLI hangs up the program's terminal, so the shell does not live on", async () => {
  const s = 'hup';
  sessions.push(s);
  const pidfile = join(dir, 'hup.pid');
  // Only uts is joined, so $$ inside is the shell's host pid.
  await newSession(s, `${nodeCmd(pidfile, `exec -it -u -t ${t.pid} -- sh`)}; sleep 600`);
  await waitPane(s, /^[#$]\s*$/m);
  await tmux('send-keys', '-t', s, 'echo shellpid=$$', 'Enter');
  const shellPid = Number((await waitPane(s, /shellpid=\d+/)).match(/shellpid=(\d+)/)![1]);
  const cli = Number(readFileSync(pidfile, 'utf8'));
  cliPids.add(cli);
  assert.ok(existsSync(`/proc/${shellPid}`));
  process.kill(cli, 'SIGKILL');
  const start = Date.now();
  while (existsSync(`/proc/${shellPid}`) && Date.now() - start < 5000) await sleep(50);
  assert.not.ok(existsSync(`/proc/${shellPid}`), 'the shell ended with the CLI');
});

test('TERM INT HUP QUIT USR1 USR2 WINCH sent to the CLI reach the program; its status is ours', async () => {
  const pidfile = join(dir, 'sig.pid');
  const script =
    'for s in INT HUP QUIT USR1 USR2 WINCH; do trap "echo got-$s" $s; done; trap "echo got-TERM; exit 9" TERM; echo ready; while :; do sleep 0.05; done';
  const cli = spawnCb(process.execPath, ['--import', 'tsx', runner, 'exec', '-t', String(t.pid), '--', 'sh', '-c', script], {
    env: { ...process.env, NSJOIN_PIDFILE: pidfile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cliPids.add(cli.pid!);
  let out = '';
  cli.stdout!.on('data', (b) => {
    out += b;
  });
  cli.on('exit', (c, sg) => {
    out += ` [cli exit ${c} ${sg}]`;
  });
  const until = async (re: RegExp) => {
    const start = Date.now();
    while (!re.test(out)) {
      if (Date.now() - start > DEADLINE_MS) throw new Error(`timed out waiting for ${re}: ${out}`);
      await sleep(20);
    }
  };
  await until(/ready/);
  for (const sig of ['INT', 'HUP', 'QUIT', 'USR1', 'USR2', 'WINCH'] as const) {
    cli.kill(`SIG${sig}`);
    await until(new RegExp(`got-${sig}`));
  }
  const status = new Promise<number | null>((res) => cli.on('exit', (code) => res(code)));
  cli.kill('SIGTERM');
  assert.is(await status, 9);
  assert.match(out, /got-TERM/);
});

test("exec arguments: -it is one word (docker's), -i alone is --ipc; usage errors", () => {
  const it = parseExecArgs(['-it', '-t', '42'])!;
  assert.is(it.tty, true);
  assert.is(it.interactive, true);
  assert.is(it.file, 'sh');
  const ipc = parseExecArgs(['-i', '-t', '42', '--', 'ls', '-it'])!;
  assert.equal(ipc.options.namespaces, ['ipc']);
  assert.is(ipc.tty, false);
  assert.equal(ipc.args, ['-it'], '-it after -- belongs to the program');
  assert.throws(() => parseExecArgs(['--', 'sh']), /missing -t TARGET/);
  assert.throws(() => parseExecArgs(['-t', '42']), /missing PROGRAM/);
  assert.throws(() => parseExecArgs(['-t', '42', '-S', 'target', '-G', '5', 'id']), /-G/);
});

test.run();
