// The exec core against real namespaces made with unshare: what a program started by nsjoin sees.
// Also run with NSJOIN_FALLBACK=all by exec-fallback.test.ts (the pre-5.8/5.9 kernel paths).
import { readFileSync, readlinkSync, readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, kernelSupport, namespacesOf, spawn, spawnSync } from '../lib/index.js';
import { startTarget, type Target } from './helpers/target.js';

const fallback = process.env.NSJOIN_FALLBACK === 'all';
let t: Target;

test.before(async () => {
  t = await startTarget({
    setup: [
      'hostname nsjoin-target',
      'ip link add nsjveth0 type veth peer name nsjveth1',
      'mount -t tmpfs tmpfs /mnt',
      'echo only-here > /mnt/secret',
      'mkdir -p /mnt/work && cd /mnt/work',
    ].join('\n'),
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', TARGET_VAR: 'from-target' },
  });
});
test.after(() => t?.kill());

test('the fallbacks are in force when asked for', () => {
  const k = kernelSupport();
  assert.is(k.setnsPidfd, !fallback);
  assert.is(k.closeRange, !fallback);
});

test('the program sees the target: hostname, devices, pid numbering, files, env and cwd', async () => {
  const child = spawn(t.pid, 'sh', [
    '-c',
    [
      'hostname',
      'echo pid=$$',
      'ls /sys/class/net 2>/dev/null | tr "\\n" " "; echo',
      'ip -o link show | cut -d: -f2 | tr -d " " | tr "\\n" ","; echo',
      'cat /mnt/secret',
      'pwd',
      'echo var=$TARGET_VAR',
      'echo home=${NSJOIN_HOST_ONLY:-unset}',
    ].join('; '),
  ]);
  let out = '';
  child.stdout!.on('data', (b) => {
    out += b;
  });
  const [code] = await new Promise<[number | null, string | null]>((res) => child.on('close', (c, s) => res([c, s])));
  assert.is(code, 0);
  const lines = out.trim().split('\n');
  assert.is(lines[0], 'nsjoin-target');
  const innerPid = Number(lines[1]!.slice(4));
  assert.ok(innerPid > 1 && innerPid < 100, `small pid inside: ${innerPid}`);
  assert.ok(child.pid! > 0 && child.pid !== innerPid, `host pid ${child.pid} differs from ${innerPid}`);
  assert.equal(
    lines[3]!
      .split(',')
      .filter(Boolean)
      .map((n) => n.split('@')[0])
      .sort(),
    ['lo', 'nsjveth0', 'nsjveth1'],
  );
  assert.is(lines[4], 'only-here');
  assert.is(lines[5], '/mnt/work');
  assert.is(lines[6], 'var=from-target');
  assert.is(lines[7], 'home=unset');
});

test("/proc/self/ns of the program equals the target's, all eight", async () => {
  const { stdout } = await execFile(
    t.pid,
    'sh',
    ['-c', 'for n in cgroup ipc mnt net pid time uts user; do readlink /proc/self/ns/$n; done'],
    {
      // /proc inside is the target's own procfs, mounted for its pid namespace.
    },
  );
  const theirs = namespacesOf(t.pid);
  const want = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'uts', 'user'].map((n) => `${n}:[${theirs[n as 'net']!.inode}]`);
  assert.equal(stdout.trim().split('\n'), want);
  const ours = namespacesOf(process.pid);
  for (const n of ['net', 'uts', 'ipc', 'pid', 'mnt', 'cgroup', 'time'] as const) {
    assert.is.not(theirs[n]!.inode, ours[n]!.inode, `${n} differs from ours`);
  }
});

test('joining only net leaves uts, mnt and pid ours', async () => {
  const { stdout } = await execFile(
    t.pid,
    '/bin/sh',
    [
      '-c',
      'hostname; ls /sys/class/net >/dev/null; ip -o link show | cut -d: -f2 | cut -d@ -f1 | tr -d " " | sort | tr "\\n" ,; echo; readlink /proc/self/ns/net /proc/self/ns/uts /proc/self/ns/mnt',
    ],
    {
      namespaces: ['net'],
      env: 'inherit',
    },
  );
  const [host, links, net, uts, mnt] = stdout.trim().split('\n');
  assert.is(host, readFileSync('/proc/sys/kernel/hostname', 'utf8').trim());
  assert.is(links, 'lo,nsjveth0,nsjveth1,');
  assert.is(net, `net:[${namespacesOf(t.pid).net!.inode}]`);
  assert.is(uts, readlinkSync('/proc/self/ns/uts'));
  assert.is(mnt, readlinkSync('/proc/self/ns/mnt'));
});

test('joining only uts: the target hostname, our network and files', async () => {
  const { stdout } = await execFile(
    t.pid,
    'sh',
    ['-c', 'hostname; readlink /proc/self/ns/net; test -e /mnt/secret && echo seen || echo unseen'],
    {
      namespaces: ['uts'],
      env: 'inherit',
    },
  );
  assert.equal(stdout.trim().split('\n'), ['nsjoin-target', readlinkSync('/proc/self/ns/net'), 'unseen']);
});

test('without mnt the cwd is ours by default, as child_process', async () => {
  const { stdout } = await execFile(t.pid, 'pwd', [], { namespaces: ['uts'], env: 'inherit' });
  assert.is(stdout.trim(), process.cwd());
});

test('an explicit cwd is inside the target; env object and inherit', async () => {
  let r = await execFile(t.pid, 'sh', ['-c', 'pwd; echo $A; echo ${TARGET_VAR:-none}'], {
    cwd: '/mnt',
    env: { A: 'b', PATH: '/usr/bin:/bin' },
  });
  assert.equal(r.stdout.trim().split('\n'), ['/mnt', 'b', 'none']);
  process.env.NSJOIN_TEST_MARK = 'host-value';
  r = await execFile(t.pid, 'sh', ['-c', 'echo $NSJOIN_TEST_MARK'], { env: 'inherit' });
  assert.is(r.stdout.trim(), 'host-value');
  r = await execFile(t.pid, 'sh', ['-c', 'echo ${NSJOIN_TEST_MARK:-absent}']);
  assert.is(r.stdout.trim(), 'absent', 'the host env never goes in by default');
});

test('exit status and signal, as child_process', async () => {
  const c = spawn(t.pid, 'sh', ['-c', 'exit 7']);
  const [code, sig] = await new Promise<[number | null, string | null]>((res) => c.on('exit', (a, b) => res([a, b])));
  assert.is(code, 7);
  assert.is(sig, null);
  assert.is(c.exitCode, 7);
  const k = spawn(t.pid, 'sh', ['-c', 'kill -KILL $$']);
  const [code2, sig2] = await new Promise<[number | null, string | null]>((res) => k.on('exit', (a, b) => res([a, b])));
  assert.is(code2, null);
  assert.is(sig2, 'SIGKILL');
  try {
    await execFile(t.pid, 'sh', ['-c', 'echo out; echo err >&2; exit 3']);
    assert.unreachable('should reject');
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    assert.is(err.code, 3);
    assert.is(err.stdout, 'out\n');
    assert.is(err.stderr, 'err\n');
  }
});

test('kill() reaches the program itself: its host pid is gone afterwards', async () => {
  const c = spawn(t.pid, 'sleep', ['1000']);
  await new Promise((r) => c.on('spawn', r));
  const pid = c.pid!;
  // A vfork parent resumes as soon as the new program's memory is in place, a moment before the
  // kernel renames the task: wait for the name rather than read it once.
  for (let i = 0; i < 100 && !readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('sleep'); i++)
    await new Promise((r) => setTimeout(r, 5));
  assert.match(readFileSync(`/proc/${pid}/comm`, 'utf8'), /sleep/);
  assert.ok(c.kill('SIGTERM'));
  const [, sig] = await new Promise<[number | null, string | null]>((res) => c.on('exit', (a, b) => res([a, b])));
  assert.is(sig, 'SIGTERM');
  assert.is(c.killed, true);
  assert.not.ok(readdirSync('/proc').includes(String(pid)), 'no process or zombie left');
  assert.is(c.kill(), false, 'nothing to kill after exit');
});

test('timeout and AbortSignal kill the program', async () => {
  const started = Date.now();
  try {
    await execFile(t.pid, 'sleep', ['30'], { timeout: 200 });
    assert.unreachable();
  } catch (e) {
    assert.is((e as { signal: string }).signal, 'SIGTERM');
  }
  assert.ok(Date.now() - started < 5000);
  const ac = new AbortController();
  const c = spawn(t.pid, 'sleep', ['30'], { signal: ac.signal, killSignal: 'SIGKILL' });
  const errors: Error[] = [];
  c.on('error', (e) => errors.push(e));
  setTimeout(() => ac.abort(), 100);
  const [, sig] = await new Promise<[number | null, string | null]>((res) => c.on('exit', (a, b) => res([a, b])));
  assert.is(sig, 'SIGKILL');
  assert.is(errors[0]?.name, 'AbortError');
  const pre = new AbortController();
  pre.abort();
  const d = spawn(t.pid, 'sleep', ['30'], { signal: pre.signal });
  const e = await new Promise<Error>((res) => d.on('error', res));
  assert.is(e.name, 'AbortError');
  assert.is(d.pid, undefined, 'nothing started');
});

test('stdin, input and spawnSync', async () => {
  const r = await execFile(t.pid, 'tr', ['a-z', 'A-Z'], { input: 'hello' });
  assert.is(r.stdout, 'HELLO');
  const s = spawnSync(t.pid, 'sh', ['-c', 'cat; hostname; exit 4'], { input: 'in;', encoding: 'utf8' });
  assert.is(s.status, 4);
  assert.is(s.stdout, 'in;nsjoin-target\n');
  assert.ok(s.pid > 0);
  const slow = spawnSync(t.pid, 'sleep', ['30'], { timeout: 200 });
  assert.is(slow.signal, 'SIGTERM');
  assert.is((slow.error as { code?: string })?.code, 'ETIMEDOUT');
  const big = spawnSync(t.pid, 'sh', ['-c', 'head -c 100000 /dev/zero'], { maxBuffer: 1000 });
  assert.is((big.error as { code?: string })?.code, 'ENOBUFS');
  assert.is(big.stdout!.length, 1000);
});

test('maxBuffer and encoding in execFile', async () => {
  const r = await execFile(t.pid, 'printf', ['abc'], { encoding: 'buffer' });
  assert.ok(Buffer.isBuffer(r.stdout));
  assert.is(r.stdout.toString(), 'abc');
  try {
    await execFile(t.pid, 'sh', ['-c', 'head -c 100000 /dev/zero'], { maxBuffer: 100 });
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code: string }).code, 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER');
  }
});

test('stdio: inherit, ignore and an fd of ours', async () => {
  const [r, w] = (await import('../lib/binding.js')).binding().pipe() as [number, number];
  const c = spawn(t.pid, 'sh', ['-c', 'echo to-fd3 >&3; echo ignored'], { stdio: ['ignore', 'ignore', 'inherit', w] });
  assert.is(c.stdout, null);
  await new Promise((res) => c.on('close', res));
  const { closeSync, readSync } = await import('node:fs');
  closeSync(w);
  const buf = Buffer.alloc(64);
  const n = readSync(r, buf);
  closeSync(r);
  assert.is(buf.toString('utf8', 0, n), 'to-fd3\n');
});

test('the program is a direct child of ours even inside the pid namespace', async () => {
  const c = spawn(t.pid, 'sleep', ['5']);
  await new Promise((r) => c.on('spawn', r));
  const stat = readFileSync(`/proc/${c.pid}/stat`, 'utf8');
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  assert.is(ppid, process.pid);
  c.kill('SIGKILL');
  await new Promise((r) => c.on('close', r));
});

test('joinCgroup is stdin-safe (nsenter -C breaks fd 0)', async () => {
  const r = await execFile(t.pid, 'sh', ['-c', 'cat; readlink /proc/self/fd/0 | cut -c1-5'], { joinCgroup: true, input: 'kept\n' });
  assert.is(r.stdout.split('\n')[0], 'kept');
  assert.is(r.stdout.split('\n')[1], 'pipe:');
});

test('namespacesOf reports the target and our own namespaces', () => {
  const ns = namespacesOf({ pid: t.pid });
  for (const n of ['net', 'uts', 'mnt', 'pid', 'ipc', 'cgroup', 'user'] as const) assert.ok(ns[n]!.inode > 0);
});

test("Node's options inside a target: shell is the target's /bin/sh, detached a new session there", async () => {
  const { stdout } = await execFile(t.pid, 'echo $0 $(hostname) $(cat /mnt/secret)', { shell: true });
  assert.is(stdout, '/bin/sh nsjoin-target only-here\n');
  const r = spawnSync(t.pid, 'sh', ['-c', 'cut -d" " -f6 /proc/$$/stat; echo $$'], { detached: true, encoding: 'utf8' });
  const [sid, self] = r.stdout!.trim().split('\n');
  assert.is(sid, self, 'the program leads its own session');
});

test.run();
