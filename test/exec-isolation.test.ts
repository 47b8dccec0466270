// What the program gets and nothing more: fds, ids, cwd inside the target root, cgroups; and the
// typed errors for what cannot work.
import { spawn as nodeSpawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, NsError, spawn, spawnSync } from '../lib/index.js';
import { makeCgroup } from './helpers/cgroup.js';
import { againstCopy, publicCopy } from './helpers/public-copy.js';
import { startTarget, type Target } from './helpers/target.js';

const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const targets: Target[] = [];
test.after.each(() => {
  while (targets.length) targets.pop()!.kill();
});
async function target(opts: Parameters<typeof startTarget>[0]): Promise<Target> {
  const t = await startTarget(opts);
  targets.push(t);
  return t;
}

function runNode(
  script: string,
  opts: { extraFds?: number; uid?: number; wrap?: string[] } = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const stdio: Array<'pipe' | 'ignore'> = ['ignore', 'pipe', 'pipe'];
    for (let i = 0; i < (opts.extraFds ?? 0); i++) stdio.push('pipe');
    // Another uid may not read the checkout (a clone under /root): it runs the compiled copy.
    const cmd = [...(opts.wrap ?? []), process.execPath, '--import', 'tsx', '--input-type=module', '-e', script];
    const c =
      opts.uid === undefined
        ? nodeSpawn(cmd[0]!, cmd.slice(1), { stdio, cwd: new URL('..', import.meta.url).pathname })
        : nodeSpawn(process.execPath, ['--input-type=module', '-e', againstCopy(script)], {
            stdio,
            cwd: publicCopy().root,
            uid: opts.uid,
            gid: opts.uid,
          });
    let out = '',
      err = '';
    c.stdout!.on('data', (b) => {
      out += b;
    });
    c.stderr!.on('data', (b) => {
      err += b;
    });
    c.on('close', (code) => resolve({ code, out, err }));
  });
}

test('with 100 extra fds in the parent, inherited ones too, the program sees only 0, 1, 2', async () => {
  const t = await target({ ns: ['uts', 'pid', 'mnt'] });
  // The child Node inherits 50 pipes without close-on-exec from us, and opens 50 files itself.
  const script = `
    import { openSync, readdirSync } from 'node:fs';
    import { execFile } from './lib/index.ts';
    for (let i = 0; i < 50; i++) openSync('/dev/null', 'r');
    const mine = readdirSync('/proc/self/fd').length;
    const { stdout } = await execFile(${t.pid}, 'sh', ['-c', 'ls /proc/self/fd | sort -n | tr "\\\\n" " "'], { env: { PATH: '${PATH}' } });
    console.log(mine, '|' + stdout.trim());`;
  const r = await runNode(script, { extraFds: 50 });
  assert.is(r.code, 0, r.err);
  const [mine, seen] = r.out.trim().split('|');
  assert.ok(Number(mine) >= 103, `the parent had ${mine} fds`);
  // ls opens one directory fd of its own (3).
  assert.is(seen, '0 1 2 3');
});

test("user: 'target' runs with the target's uid, gid and groups", async () => {
  const t = await target({ ns: ['uts', 'pid', 'mnt'], exec: 'setpriv --reuid 1234 --regid 2345 --groups 3456,3457 sleep 100000' });
  for (let i = 0; i < 100 && !/Uid:\s+1234/.test(readFileSync(`/proc/${t.pid}/status`, 'utf8')); i++)
    await new Promise((r) => setTimeout(r, 20));
  const { stdout } = await execFile(t.pid, 'id', [], { user: 'target', env: { PATH } });
  assert.is(stdout.trim(), 'uid=1234 gid=2345 groups=2345,3456,3457');
  const own = await execFile(t.pid, 'id', ['-u'], { user: { uid: 42, gid: 43 }, env: { PATH } });
  assert.is(own.stdout.trim(), '42');
  const keep = await execFile(t.pid, 'id', ['-u'], { env: { PATH } });
  assert.is(keep.stdout.trim(), '0', 'default: our own ids');
});

test('a user namespace: uid 0 inside by default, target ids mapped', async () => {
  const t = await target({ ns: ['user', 'uts', 'mnt', 'pid'] });
  const { stdout } = await execFile(t.pid, 'sh', ['-c', 'id -u; readlink /proc/self/ns/user'], { env: { PATH } });
  const [uid, ns] = stdout.trim().split('\n');
  assert.is(uid, '0');
  assert.is(ns, (await import('node:fs')).readlinkSync(`/proc/${t.pid}/ns/user`));
  assert.is.not(ns, (await import('node:fs')).readlinkSync('/proc/self/ns/user'));
});

test("the cwd stays inside the target root: symlinked, removed, and outside the target's root", async () => {
  const sym = await target({
    ns: ['mnt', 'pid'],
    setup: 'mount -t tmpfs tmpfs /mnt; mkdir /mnt/real; ln -s /mnt/real /mnt/link; cd /mnt/link',
  });
  assert.is((await execFile(sym.pid, 'pwd', ['-P'], { env: { PATH } })).stdout.trim(), '/mnt/real');

  const gone = await target({ ns: ['mnt', 'pid'], setup: 'mount -t tmpfs tmpfs /mnt; mkdir /mnt/gone; cd /mnt/gone; rmdir /mnt/gone' });
  assert.is((await execFile(gone.pid, 'pwd', ['-P'], { env: { PATH } })).stdout.trim(), '/', 'falls back to the root');
  try {
    await execFile(gone.pid, 'pwd', [], { cwd: '/mnt/gone', env: { PATH } });
    assert.unreachable();
  } catch (e) {
    assert.is((e as NsError).code, 'ENOENT');
    assert.is((e as NsError).syscall, 'chdir');
  }

  // A target chrooted into /mnt/r whose cwd stayed outside its root (as a leaked directory fd
  // would leave it, CVE-2024-21626): the program lands on the root, never outside.
  const jail = await target({
    ns: ['mnt', 'pid'],
    setup: [
      'mount -t tmpfs tmpfs /mnt',
      'mkdir -p /mnt/r/usr /mnt/r/proc /mnt/r/outside-marker',
      'mount --bind /usr /mnt/r/usr',
      'ln -s usr/bin /mnt/r/bin; ln -s usr/lib /mnt/r/lib; ln -s usr/lib64 /mnt/r/lib64; ln -s /../../.. /mnt/r/esc',
      'mkdir /mnt/outside; cd /mnt/outside',
    ].join('; '),
    exec: `python3 -c "import os; os.chroot('/mnt/r'); os.execv('/bin/sleep', ['sleep', '100000'])"`,
  });
  for (let i = 0; i < 100; i++) {
    const root = (await import('node:fs')).readlinkSync(`/proc/${jail.pid}/root`);
    if (root === '/mnt/r') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const inJail = await execFile(jail.pid, 'sh', ['-c', 'pwd -P; ls /'], { env: { PATH } });
  const [cwd, ...entries] = inJail.stdout.trim().split('\n');
  assert.is(cwd, '/');
  assert.ok(entries.includes('outside-marker'), 'the root is the target root');
  for (const cwdOpt of ['/esc', '../../..', '/esc/../..']) {
    const r = await execFile(jail.pid, 'sh', ['-c', 'pwd -P; ls / | grep -c outside-marker'], { cwd: cwdOpt, env: { PATH } });
    assert.equal(r.stdout.trim().split('\n'), ['/', '1'], `cwd ${cwdOpt} stays in the root`);
  }
});

test('joinCgroup: the program is in the target cgroup in every hierarchy', async () => {
  const cg = makeCgroup('exec-join', ['cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'freezer', 'devices']);
  try {
    const t = await target({ ns: ['uts', 'pid', 'mnt', 'cgroup'], pre: cg.enter });
    const theirs = readFileSync(`/proc/${t.pid}/cgroup`, 'utf8');
    // Read from the host's view: the program's /proc/self/cgroup would be relative to its cgroup ns.
    const c = spawn(t.pid, 'sleep', ['100'], { joinCgroup: true, env: { PATH } });
    await new Promise((r) => c.on('spawn', r));
    const programs = readFileSync(`/proc/${c.pid}/cgroup`, 'utf8');
    c.kill('SIGKILL');
    await new Promise((r) => c.on('close', r));
    assert.is(programs, theirs);
    assert.ok(theirs.includes('nsjoin-test-exec-join'), 'the target is in the test cgroup');
    const without = spawn(t.pid, 'sleep', ['100'], { env: { PATH }, joinCgroup: false });
    await new Promise((r) => without.on('spawn', r));
    const notJoined = readFileSync(`/proc/${without.pid}/cgroup`, 'utf8');
    without.kill('SIGKILL');
    await new Promise((r) => without.on('close', r));
    assert.is(notJoined, readFileSync('/proc/self/cgroup', 'utf8'), 'joinCgroup: false (the default in the target root is true): ours');
  } finally {
    targets.pop()?.kill();
    await cg.remove();
  }
});

test('a missing program: ENOENT from execve, as child_process', async () => {
  const t = await target({ ns: ['uts'] });
  const c = spawn(t.pid, 'no-such-program-here', [], { env: { PATH } });
  const err = await new Promise<NsError>((r) => c.on('error', r));
  assert.instance(err, NsError);
  assert.is(err.code, 'ENOENT');
  assert.is(err.syscall, 'execve');
  assert.is(err.path, 'no-such-program-here');
  assert.is(err.errno, -2);
  assert.is(c.pid, undefined);
  try {
    await execFile(t.pid, '/nope/x');
    assert.unreachable();
  } catch (e) {
    assert.is((e as NsError).code, 'ENOENT');
  }
  try {
    await execFile(t.pid, '/proc/version');
    assert.unreachable();
  } catch (e) {
    assert.is((e as NsError).code, 'EACCES', 'not executable');
  }
});

test('a dead pid: ESRCH, nothing started', async () => {
  const t = await target({ ns: ['uts'] });
  const pid = t.pid;
  t.kill();
  for (let i = 0; i < 100; i++) {
    try {
      readFileSync(`/proc/${pid}/stat`);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  // As child_process delivers start failures: an 'error' event, never a throw.
  const child = spawn(pid, 'true');
  const e = await new Promise<Error>((resolve) => child.once('error', resolve));
  assert.instance(e, NsError);
  assert.is((e as NsError).code, 'ESRCH');
  assert.is((e as NsError).pid, pid);
  assert.is(child.pid, undefined, 'nothing started');
  await execFile(pid, 'true').then(
    () => assert.unreachable(),
    (err: NsError) => assert.is(err.code, 'ESRCH'),
  );
});

test('an unprivileged caller gets EPERM naming CAP_SYS_ADMIN', async () => {
  // A target owned by uid 65534 (so ptrace access is there) in namespaces owned by the host.
  const t = await target({ ns: ['uts', 'net'], exec: 'setpriv --reuid 65534 --regid 65534 --clear-groups sleep 100000' });
  for (let i = 0; i < 100 && !/Uid:\s+65534/.test(readFileSync(`/proc/${t.pid}/status`, 'utf8')); i++)
    await new Promise((r) => setTimeout(r, 20));
  const script = `
    import { execFile } from './lib/index.ts';
    try { await execFile(${t.pid}, 'true', [], { env: {} }); console.log('started'); }
    catch (e) { console.log(JSON.stringify({ code: e.code, syscall: e.syscall, message: e.message })); }`;
  const r = await runNode(script, { uid: 65534 });
  assert.is(r.code, 0, r.err);
  const res = JSON.parse(r.out.trim());
  assert.is(res.code, 'EPERM');
  assert.is(res.syscall, 'setns');
  assert.match(res.message, /CAP_SYS_ADMIN/);
});

test('a credential step that fails arrives as an NsError named after it, from spawn and spawnSync', async () => {
  // The target's user namespace denies setgroups (map-root-user): explicit ids must fail there.
  const t = await target({ ns: ['user', 'uts', 'mnt', 'pid'] });
  const user = { uid: 5, gid: 5 };
  const e = await execFile(t.pid, 'id', [], { user, env: { PATH } }).then(
    () => null,
    (err: NsError) => err,
  );
  assert.instance(e, NsError);
  assert.is(e!.code, 'EPERM');
  assert.is(e!.syscall, 'setgroups');
  assert.match(e!.message, /CAP_SETGID/);
  const r = spawnSync(t.pid, 'id', [], { user, env: { PATH } });
  assert.is((r.error as NsError).syscall, 'setgroups');
  assert.is((r.error as NsError).code, 'EPERM');
});

test("the target's bounding set cannot be taken without CAP_SETPCAP: EPERM naming the capability", async () => {
  // The target lacks CAP_NET_RAW (13) in its bounding set; the caller, root without CAP_SETPCAP,
  // cannot drop it from the program's: the program must not start with more than the target has.
  const t = await target({ ns: ['uts', 'mnt', 'pid'], exec: 'setpriv --bounding-set -net_raw sleep 100000' });
  const bounding = () => BigInt('0x' + /CapBnd:\s+([0-9a-f]+)/.exec(readFileSync(`/proc/${t.pid}/status`, 'utf8'))![1]);
  for (let i = 0; i < 100 && bounding() & (1n << 13n); i++) await new Promise((res) => setTimeout(res, 20));
  assert.is(bounding() & (1n << 13n), 0n, 'setpriv ran');
  const script = `
    import { execFile } from './lib/index.ts';
    try { await execFile(${t.pid}, 'true', [], { env: {} }); console.log('{"started":true}'); }
    catch (e) { console.log(JSON.stringify({ code: e.code, syscall: e.syscall, message: e.message })); }`;
  const r = await runNode(script, { wrap: ['setpriv', '--bounding-set', '-setpcap'] });
  assert.is(r.code, 0, r.err);
  const res = JSON.parse(r.out.trim());
  assert.is(res.code, 'EPERM');
  assert.is(res.syscall, 'prctl');
  assert.match(res.message, /capbset \(capability 13\): it needs CAP_SETPCAP/);
});

test('bad arguments are TypeError/RangeError before anything starts', async () => {
  const t = await target({ ns: ['uts'] });
  const bad: Array<[() => unknown, new (...a: never[]) => Error]> = [
    [() => spawn('1' as never, 'true'), TypeError],
    [() => spawn(0, 'true'), RangeError],
    [() => spawn(-1, 'true'), RangeError],
    [() => spawn(1.5, 'true'), RangeError],
    [() => spawn(NaN, 'true'), RangeError],
    [() => spawn(2 ** 40, 'true'), RangeError],
    [() => spawn({ pid: 'x' } as never, 'true'), TypeError],
    [() => spawn({ pod: 1 } as never, 'true'), TypeError],
    [() => spawn(t.pid, 42 as never), TypeError],
    [() => spawn(t.pid, ''), TypeError],
    [() => spawn(t.pid, 'tr\0ue'), TypeError],
    [() => spawn(t.pid, 'true', 'x' as never), TypeError],
    [() => spawn(t.pid, 'true', ['a\0b']), TypeError],
    [() => spawn(t.pid, 'true', [], { namespaces: ['netns' as never] }), TypeError],
    [() => spawn(t.pid, 'true', [], { namespaces: 'some' as never }), TypeError],
    [() => spawn(t.pid, 'true', [], { env: { 'A=B': 'x' } }), TypeError],
    [() => spawn(t.pid, 'true', [], { env: { A: 'x\0y' } }), TypeError],
    [() => spawn(t.pid, 'true', [], { env: 'mine' as never }), TypeError],
    [() => spawn(t.pid, 'true', [], { uid: 0, user: 'target' }), TypeError],
    [() => spawn(t.pid, 'true', [], { uid: -1 }), RangeError],
    [() => spawn(t.pid, 'true', [], { shell: 1 as never }), TypeError],
    [() => spawn(t.pid, 'true', [], { detached: 'yes' as never }), TypeError],
    [() => spawn(t.pid, 'true', [], { stdio: ['ipc'] }), TypeError],
    [() => spawn(t.pid, 'true', [], { input: 'x' } as never), TypeError],
    [() => spawn(t.pid, 'true', [], { windowsHide: 1 as never }), TypeError],
    [() => spawn(t.pid, 'true', [], { serialization: 'xml' as never }), TypeError],
    [() => execFile(t.pid, 'true', [], { encoding: 'klingon' }), TypeError],
    [() => execFile(t.pid, 'true', [], {}, 42 as never), TypeError],
    [() => spawn(t.pid, 'true', [], { user: { uid: -1, gid: 0 } }), RangeError],
    [() => spawn(t.pid, 'true', [], { user: { uid: 2 ** 32, gid: 0 } }), RangeError],
    [() => spawn(t.pid, 'true', [], { user: 'root' as never }), TypeError],
    [() => spawn(t.pid, 'true', [], { stdio: ['pipe', 'junk' as never] }), TypeError],
    [() => spawn(t.pid, 'true', [], { stdio: [-1 as never] }), TypeError],
    [() => spawn(t.pid, 'true', [], { timeout: -5 }), RangeError],
    [() => spawn(t.pid, 'true', [], { timeout: NaN }), RangeError],
    [() => spawn(t.pid, 'true', [], { signal: {} as never }), TypeError],
    [() => spawn(t.pid, 'true', [], { killSignal: 'SIGNOPE' as never }), TypeError],
    [() => spawn(t.pid, 'true', [], { cwd: 'a\0b' }), TypeError],
    [() => spawn(t.pid, 'true', [], { root: 'yes' as never }), TypeError],
    [() => spawn(t.pid, 'true', [], { bogus: 1 } as never), TypeError],
  ];
  const before = (await import('node:fs')).readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8');
  for (const [fn, type] of bad) assert.throws(fn, (e: Error) => e instanceof type, fn.toString());
  const after = (await import('node:fs')).readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8');
  assert.is(after, before, 'no process started');
});

test.run();
