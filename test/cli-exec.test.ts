// nsjoin exec as a user runs it: nsenter-style flags into a test target made with unshare, the
// program's exit status (and 128+signal) passed through, a container id prefix as TARGET.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readlinkSync } from 'node:fs';
import { nsjoin } from './helpers/cli.js';
import { makeRuntimeCgroups, type RuntimeCgroups } from './helpers/runtime-cgroups.js';
import { startTarget, type Target } from './helpers/target.js';

let target: Target;
let rt: RuntimeCgroups;
let containerPid: number;
// Unique to this process: concurrent runs on the same host must not share a container id.
const ID = `e0ec${(process.pid % 0x10000).toString(16).padStart(4, '0')}${'13579bdf02468ace'.repeat(4)}`.slice(0, 64);

test.before(async () => {
  target = await startTarget({
    ns: ['uts', 'net', 'ipc', 'pid', 'mnt'],
    setup: 'hostname nsjoin-cli-exec; mkdir -p /tmp/nsjoin-cli-wd',
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', NSJOIN_MARK: 'target' },
  });
  rt = makeRuntimeCgroups('cli-exec', [`docker/${ID}`], ['memory', 'pids']);
  containerPid = await rt.start(`docker/${ID}`, `unshare --uts sh -c 'hostname nsjoin-ctr; exec sleep 100000'`);
});
test.after(async () => {
  target.kill();
  await rt.remove();
});

const T = (): string => String(target.pid);

test("-u: the program sees the target's hostname; stdout is inherited; status 0", async () => {
  const r = await nsjoin(['exec', '-t', T(), '-u', '--', 'hostname']);
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  assert.is(r.stdout, 'nsjoin-cli-exec\n');
});

test('the exit status is passed through; a signal is 128+N', async () => {
  assert.is((await nsjoin(['exec', '-t', T(), '-a', '--', '/bin/sh', '-c', 'exit 7'])).status, 7);
  assert.is((await nsjoin(['exec', '-t', T(), '-a', '--', '/bin/sh', '-c', 'kill -TERM $$'])).status, 143);
  assert.is((await nsjoin(['exec', '-t', T(), '-a', '--', '/bin/sh', '-c', 'kill -KILL $$'])).status, 137);
});

test("-n: only the target's network namespace (its lo) is visible", async () => {
  const r = await nsjoin(['exec', '-t', T(), '-n', '--', 'readlink', '/proc/self/ns/net']);
  assert.is(r.stdout.trim(), readlinkSync(`/proc/${target.pid}/ns/net`));
  const uts = await nsjoin(['exec', '-t', T(), '-n', '--', 'readlink', '/proc/self/ns/uts']);
  assert.is(uts.stdout.trim(), readlinkSync('/proc/self/ns/uts'), 'uts not joined without -u');
});

test('-p -m: inside the pid namespace (small pid) and the mount namespace; -w sets the cwd', async () => {
  const r = await nsjoin([
    'exec',
    '-t',
    T(),
    '-p',
    '-m',
    '-w',
    '/tmp/nsjoin-cli-wd',
    '--',
    '/bin/sh',
    '-c',
    'echo $$; pwd; readlink /proc/self/ns/mnt',
  ]);
  assert.is(r.status, 0, r.stderr);
  const [pid, cwd, mnt] = r.stdout.trim().split('\n');
  assert.ok(Number(pid) < 50, `pid inside: ${pid}`);
  assert.is(cwd, '/tmp/nsjoin-cli-wd');
  assert.is(mnt, readlinkSync(`/proc/${target.pid}/ns/mnt`));
});

test("-S/-G set the ids; the target's environment is used, never ours", async () => {
  const r = await nsjoin(
    ['exec', '-t', T(), '-a', '-S', '65534', '-G', '65534', '--', '/bin/sh', '-c', 'id -u; id -g; echo $NSJOIN_MARK'],
    { env: { ...process.env, NSJOIN_MARK: 'caller' } },
  );
  assert.is(r.stdout, '65534\n65534\ntarget\n');
});

test('TARGET as a container id prefix; -c joins its cgroup', async () => {
  const r = await nsjoin(['exec', '-t', ID.slice(0, 12), '-u', '-c', '--', '/bin/sh', '-c', 'hostname; cat /proc/self/cgroup']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^nsjoin-ctr\n/);
  // v1: the memory hierarchy's line; v2: the single 0:: line.
  assert.match(r.stdout, new RegExp(`^\\d+:(memory|):.*/docker/${ID}$`, 'm'));
  assert.ok(containerPid > 0);
});

test('a missing program or target is one line on stderr, never a stack', async () => {
  const r = await nsjoin(['exec', '-t', T(), '-a', '--', '/nonexistent/prog']);
  assert.ok(r.status !== 0);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^nsjoin: .*ENOENT/);
  const g = await nsjoin(['exec', '-t', '4194000', '--', 'true']);
  assert.is(g.status, 1);
  assert.match(g.stderr, /^nsjoin: .*(ESRCH|ENOENT)/);
  assert.is(g.stderr.trim().split('\n').length, 1);
});

test('the program does not outlive a SIGKILLed nsjoin (no pty, so no hangup to rely on)', async () => {
  const { spawn: nodeSpawn } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const { BIN } = await import('./helpers/cli.js');
  const cli = nodeSpawn(process.execPath, [BIN, 'exec', '-t', T(), '-a', '--', '/bin/sh', '-c', 'echo $PPID; exec sleep 1000'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise((r) => cli.stdout!.once('data', r));
  const children = () => readFileSync(`/proc/${cli.pid}/task/${cli.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  // The joiner may still be in the list for a moment (the program runs before the CLI reaps it):
  // wait for the child that became `sleep`.
  const comm = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  };
  let program = 0;
  for (let i = 0; i < 200 && !program; i++) {
    program = children().find((pid) => comm(pid) === 'sleep') ?? 0;
    if (!program) await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(program > 0, 'the program is a child of the CLI');
  cli.kill('SIGKILL');
  await new Promise((r) => cli.on('close', r));
  let alive = true;
  for (let i = 0; i < 200 && alive; i++) {
    try {
      alive = !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${program}/stat`, 'utf8'));
    } catch {
      alive = false;
    }
    if (alive) await new Promise((r) => setTimeout(r, 10));
  }
  assert.not.ok(alive, `program ${program} still runs after the CLI was killed`);
});

test('a missing program is status 127, one that cannot run 126, with one line on stderr', async () => {
  const missing = await nsjoin(['exec', '-t', T(), '-a', '--', '/no/such/program']);
  assert.is(missing.status, 127);
  assert.is(missing.stderr.trim().split('\n').length, 1);
  assert.match(missing.stderr, /ENOENT/);
  const notExec = await nsjoin(['exec', '-t', T(), '-a', '--', '/proc/version']);
  assert.is(notExec.status, 126);
});

test.run();
