// Least privilege and the traps of nsenter: the program gets only 0-2 and the fds it was given, its cwd never leaves the target root, the host's environment
// stays out unless asked, an unprivileged caller gets EPERM with nothing half-done, and what
// nsenter gets wrong (signals to a helper, the host cwd with --root) is right here.
import { spawn as nodeSpawn, spawnSync as nodeSpawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, NsError, spawn } from '../../lib/index.js';
import { makeCgroup } from '../helpers/cgroup.js';
import { startTarget, type Target } from '../helpers/target.js';
import { ourChildren, PATH, runScript, sleep, stateOf } from './helpers/run.js';

const env = { PATH };
const targets: Target[] = [];
test.after.each(() => {
  while (targets.length) targets.pop()!.kill();
});
async function target(opts: Parameters<typeof startTarget>[0]): Promise<Target> {
  const t = await startTarget(opts);
  targets.push(t);
  return t;
}
async function untilComm(pid: number, comm: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm) return;
    } catch {
      /* not yet */
    }
    await sleep(10);
  }
  throw new Error(`${pid} never ran ${comm}`);
}

test('only 0, 1, 2 and the fds passed; also with joinCgroup and with the old-kernel paths', async () => {
  const t = await target({ ns: ['uts', 'pid', 'mnt'] });
  const extra = openSync('/dev/null', 'r');
  const leak = openSync('/etc/hostname', 'r'); // open in the parent, not passed: must not arrive
  try {
    for (const joinCgroup of [false, true]) {
      const c = spawn(t.pid, 'sh', ['-c', 'ls /proc/self/fd | sort -n | tr "\\n" " "'], {
        env,
        joinCgroup,
        stdio: ['pipe', 'pipe', 'pipe', extra],
      });
      let out = '';
      c.stdout!.on('data', (b) => {
        out += b;
      });
      c.stdin!.end();
      await new Promise((r) => c.on('close', r));
      assert.is(out.trim(), '0 1 2 3 4', `joinCgroup ${joinCgroup}`); // 4: ls's own directory
    }
    const r = await runScript(
      `
      import { execFile } from './lib/index.ts';
      const { stdout } = await execFile(${t.pid}, 'sh', ['-c', 'ls /proc/self/fd | sort -n | tr "\\\\n" " "'], { env: { PATH: '${PATH}' } });
      console.log(stdout.trim());`,
      { env: { NSJOIN_FALLBACK: 'all' } },
    );
    assert.is(r.out.trim(), '0 1 2 3', r.err);
  } finally {
    closeSync(extra);
    closeSync(leak);
  }
});

test('the cwd never leaves the target root: .. and symlinks placed in the target', async () => {
  // The target is chrooted into a tmpfs of its own mount namespace, with symlinks that point out.
  const t = await target({
    ns: ['uts', 'pid', 'mnt'],
    setup: `mount -t tmpfs none /mnt && mkdir -p /mnt/bin /mnt/place/deep && cp /usr/bin/busybox /mnt/bin/ &&
      for a in sh pwd ls cat sleep grep; do ln -s busybox /mnt/bin/$a; done &&
      touch /mnt/ROOT_MARKER && ln -s ../../../../../.. /mnt/place/deep/up && ln -s / /mnt/place/abs && ln -s /proc/1/root/.. /mnt/place/proc1`,
    exec: 'chroot /mnt /bin/sleep 100000',
  });
  await untilComm(t.pid, 'sleep');
  const hostCwd = process.cwd();
  const probes = [
    '/..',
    '/../../../..',
    '/place/deep/up',
    '/place/deep/up/..',
    '/place/abs',
    '/place/abs/..',
    '../../..',
    'place/deep/../../../..',
  ];
  for (const cwd of probes) {
    const { stdout } = await execFile(t.pid, 'sh', ['-c', 'pwd -P; ls -a . | grep -c ROOT_MARKER'], { env: { PATH: '/bin' }, cwd });
    assert.is(stdout, '/\n1\n', `cwd ${cwd}`);
  }
  // Without a cwd: the target's own (its root here), never ours.
  const own = await execFile(t.pid, 'pwd', ['-P'], { env: { PATH: '/bin' } });
  assert.is(own.stdout, '/\n');
  assert.is.not(own.stdout.trim(), hostCwd);
  // A symlink through /proc does not lead out: this root has no /proc, and chdir fails cleanly.
  const e = await execFile(t.pid, 'pwd', [], { env: { PATH: '/bin' }, cwd: '/place/proc1' }).catch((x: unknown) => x);
  assert.instance(e, NsError);
  assert.is((e as NsError).code, 'ENOENT');
});

test("the host's environment never goes in unless asked", async () => {
  const t = await target({ ns: ['uts', 'pid', 'mnt'], env: { PATH, TARGET_VAR: 'theirs' } });
  process.env.NSJOIN_HOST_SECRET = 'hunter2';
  try {
    const dflt = await execFile(t.pid, 'env');
    assert.not.match(dflt.stdout, /NSJOIN_HOST_SECRET/);
    assert.match(dflt.stdout, /^TARGET_VAR=theirs$/m);
    const given = await execFile(t.pid, 'env', [], { env: { PATH, ONLY: '1' } });
    assert.equal(given.stdout.trim().split('\n').sort(), ['ONLY=1', `PATH=${PATH}`]);
    const inherit = await execFile(t.pid, 'env', [], { env: 'inherit' });
    assert.match(inherit.stdout, /^NSJOIN_HOST_SECRET=hunter2$/m);
  } finally {
    delete process.env.NSJOIN_HOST_SECRET;
  }
});

test('an unprivileged caller gets EPERM (or EACCES) with nothing half-done', async () => {
  const cg = makeCgroup('unpriv', ['pids']);
  try {
    // A target of the same unprivileged user, in namespaces owned by root.
    const t = await target({
      ns: ['uts', 'pid', 'mnt'],
      pre: cg.enter,
      exec: 'setpriv --reuid 65534 --regid 65534 --clear-groups sleep 100000',
    });
    await untilComm(t.pid, 'sleep');
    const procsBefore = cg.procs().sort().join();
    const r = await runScript(
      `
      import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
      import { spawnSync, execFile } from './lib/index.ts';
      // fd -> what it is: Node itself may close lazily opened fds meanwhile (Node 22 and 24 do).
      // (An fd that cannot be read back is the listing's own directory fd, closed by then.)
      const fds = () => readdirSync('/proc/self/fd').flatMap((fd) => { try { return [fd + ' ' + readlinkSync('/proc/self/fd/' + fd)]; } catch { return []; } });
      const kids = () => readFileSync('/proc/self/task/' + process.pid + '/children', 'utf8').trim();
      const out = [];
      // Warm-up: lazily opened fds (the first async spawn opens /dev/null for 'ignore'; joinCgroup
      // opens the one watched /proc/self/mountinfo that cgroup lookups keep for the process's life).
      spawnSync(${t.pid}, 'true', [], { namespaces: ['uts'], env: {} });
      spawnSync(${t.pid}, 'true', [], { namespaces: ['uts'], joinCgroup: true, env: {} });
      await execFile(${t.pid}, 'true', [], { namespaces: ['uts'], env: {} }).catch(() => {});
      const before = fds();
      for (const opts of [{ namespaces: ['uts'] }, { namespaces: ['uts', 'pid', 'mnt'] }, { namespaces: ['uts'], joinCgroup: true }, {}]) {
        const r = spawnSync(${t.pid}, 'true', [], { ...opts, env: {} });
        out.push([r.error?.code ?? 'started', r.error?.syscall, r.pid]);
        const e = await execFile(${t.pid}, 'true', [], { ...opts, env: {} }).then(() => 'started', (x) => x.code);
        out.push([e]);
      }
      console.log(JSON.stringify({ out, fdsBefore: before, fdsAfter: fds(), kids: kids() }));`,
      { uid: 65534 },
    );
    assert.is(r.code, 0, r.err);
    const o = JSON.parse(r.out.trim().split('\n').pop()!) as { out: unknown[][]; fdsBefore: string[]; fdsAfter: string[]; kids: string };
    for (const row of o.out) assert.ok(['EPERM', 'EACCES'].includes(row[0] as string), JSON.stringify(o.out));
    assert.ok(
      o.out.some((row) => row[0] === 'EPERM' && row[1] === 'setns'),
      'setns itself says EPERM',
    );
    assert.equal(
      o.fdsAfter.filter((fd) => !o.fdsBefore.includes(fd)),
      [],
      'no fd left open',
    );
    assert.is(o.kids, '', 'no process left');
    assert.is(cg.procs().sort().join(), procsBefore, 'nothing moved into the target cgroup');
  } finally {
    await cg.remove();
  }
});

test("nsenter's traps: signals reach the program itself; with root, no host cwd (util-linux nsenter compared)", async () => {
  const t = await target({ ns: ['uts', 'pid', 'mnt'], setup: 'mkdir -p /tmp/inside && cd /tmp/inside' });
  // Signals: our pid is the program's, and its parent is us: no helper to forward through.
  const c = spawn(t.pid, 'sleep', ['300'], { env, stdio: 'ignore' });
  await new Promise((r) => c.on('spawn', r));
  await untilComm(c.pid!, 'sleep'); // the exec'd name is set a moment after the exec is known
  assert.is(
    Number(
      readFileSync(`/proc/${c.pid}/stat`, 'utf8')
        .replace(/^.*\) /, '')
        .split(' ')[1],
    ),
    process.pid,
  );
  process.kill(c.pid!, 'SIGTERM');
  assert.is(await new Promise((r) => c.on('exit', (_, s) => r(s))), 'SIGTERM');
  // nsenter with a pid namespace forks: SIGTERM to it leaves the program running.
  const n = nodeSpawn('nsenter', ['-t', String(t.pid), '-u', '-p', '-m', 'sleep', '301'], { stdio: 'ignore' });
  let orphan = 0;
  for (let i = 0; i < 300 && !orphan; i++) {
    await sleep(10);
    orphan = readFileSync(`/proc/${n.pid}/task/${n.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)[0] ?? 0;
  }
  n.kill('SIGTERM');
  await new Promise((r) => n.on('exit', r));
  await sleep(50);
  const nsenterLeft = orphan > 0 && stateOf(orphan) !== undefined && stateOf(orphan) !== 'Z';
  if (orphan)
    try {
      process.kill(orphan, 'SIGKILL');
    } catch {
      /* gone */
    }
  // cwd with root but without mnt: the target's cwd, inside its root; nsenter -r stays on ours.
  const ours = await execFile(t.pid, 'pwd', [], { env, root: true, namespaces: ['uts'] });
  assert.is(ours.stdout.trim(), '/tmp/inside');
  const theirs = nodeSpawnSync('nsenter', ['-t', String(t.pid), '-u', '-r', 'pwd'], { encoding: 'utf8' });
  console.log(
    `# security: nsenter left its program running after SIGTERM: ${nsenterLeft}; nsenter -r cwd: ${JSON.stringify(theirs.stdout.trim())}, ours: ${JSON.stringify(ours.stdout.trim())}`,
  );
  // The traps themselves, asserted: if util-linux's nsenter stops having them, the README's
  // comparison is wrong and this fails.
  assert.ok(orphan > 0, 'nsenter -p forked: its program is its child, not itself');
  assert.is(nsenterLeft, true, 'SIGTERM to nsenter left its program running');
  assert.is(theirs.status, 0, theirs.stderr);
  assert.is(theirs.stdout.trim(), process.cwd(), 'nsenter -r without -m keeps the host cwd');
  assert.equal(
    ourChildren().filter(
      (p) =>
        !targets.some((x) => x.outerPid === p) && stateOf(p) !== undefined && readFileSync(`/proc/${p}/comm`, 'utf8').trim() !== 'esbuild',
    ),
    [],
  );
});

test.run();
