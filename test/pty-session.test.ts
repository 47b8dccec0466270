// spawn with `pty`: a real terminal session inside a test-made container, on the container's
// own devpts instance: tty name, window size and resize, ^C, job control, exit status, and where
// the pty comes from when the container has no devpts of its own.
import { readFileSync, statSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn, spawnSync, type NsChildProcess } from '../lib/index.js';
import { startTarget, type Target } from './helpers/target.js';

let t: Target; // its own devpts instance at /dev/pts
let noPts: Target; // /dev/pts is a tmpfs: no devpts next to /dev/ptmx
const live = new Set<NsChildProcess>();

test.before(async () => {
  t = await startTarget({ setup: 'hostname pty-target\nmount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts /dev/pts' });
  noPts = await startTarget({ setup: 'mount -t tmpfs tmpfs /dev/pts' });
});
test.after(() => {
  for (const c of live) c.kill('SIGKILL');
  t?.kill();
  noPts?.kill();
});

const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', PS1: 'PROMPT> ', TERM: 'dumb', HOME: '/' };

/** A shell on a pty with a reader that waits for output. */
function session(target: number, opts: Parameters<typeof spawn>[3] = {}) {
  const child = spawn(target, 'bash', ['--norc', '--noprofile', '-i'], { env: ENV, pty: { cols: 80, rows: 24 }, ...opts });
  live.add(child);
  child.on('exit', () => live.delete(child));
  let out = '';
  child.pty!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  return {
    child,
    get out() {
      return out;
    },
    send(text: string) {
      child.pty!.write(text);
    },
    /** Resolves the output after `mark` once `re` matches it. */
    async waitFor(re: RegExp, from = 0, ms = 5000): Promise<string> {
      const start = Date.now();
      while (!re.test(out.slice(from))) {
        if (Date.now() - start > ms) throw new Error(`timed out waiting for ${re}; output so far:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return out.slice(from);
    },
    closed: new Promise<[number | null, string | null]>((res) => child.on('close', (c, s) => res([c, s]))),
  };
}

test("the pty comes from the container's own devpts: tty prints its /dev/pts path", async () => {
  const s = session(t.pid);
  assert.equal(s.child.ptyInfo, { path: '/dev/pts/0', source: 'target', fallbackReason: null });
  await s.waitFor(/PROMPT> /);
  const mark = s.out.length;
  s.send('tty; hostname\n');
  const text = await s.waitFor(/pty-target/, mark);
  assert.match(text, /\/dev\/pts\/0\r\n/);
  // The program's terminal is a file of the container's devpts instance, not of ours.
  const dev = statSync(`/proc/${s.child.pid}/fd/0`).dev;
  assert.is(dev, statSync(`/proc/${t.pid}/root/dev/pts/ptmx`).dev);
  assert.is.not(dev, statSync('/dev/pts/ptmx').dev);
  s.send('exit 0\n');
  assert.equal(await s.closed, [0, null]);
});

test('stty size follows resize(); the shell gets SIGWINCH', async () => {
  const s = session(t.pid);
  await s.waitFor(/PROMPT> /);
  let mark = s.out.length;
  s.send("trap 'echo got-winch' WINCH; stty size\n");
  assert.match(await s.waitFor(/^24 80\r?$/m, mark), /24 80/);
  mark = s.out.length;
  s.child.resize(132, 43);
  s.send('stty size\n');
  const text = await s.waitFor(/^43 132\r?$/m, mark);
  assert.match(text, /got-winch/);
  assert.throws(
    () => s.child.resize(0, 10),
    (e: unknown) => e instanceof RangeError,
  );
  s.send('exit 4\n');
  assert.equal(await s.closed, [4, null]);
  assert.throws(
    () => s.child.resize(80, 24),
    (e: unknown) => e instanceof TypeError,
    'no open pty after close',
  );
});

test("0x03 interrupts a running sleep (the terminal's ISIG on the foreground job)", async () => {
  const s = session(t.pid);
  await s.waitFor(/PROMPT> /);
  const mark = s.out.length;
  s.send('sleep 30; echo after-$?\n');
  await new Promise((r) => setTimeout(r, 300));
  const started = Date.now();
  s.send('\x03');
  await s.waitFor(/PROMPT> $/, mark + 10);
  assert.ok(Date.now() - started < 3000, 'interrupted at once');
  assert.ok(!/after-0/.test(s.out.slice(mark)), 'sleep did not complete');
  s.send('exit\n');
  await s.closed;
});

test('job control: session leader with the pty as controlling terminal; ^Z, jobs, bg, fg', async () => {
  const s = session(t.pid);
  await s.waitFor(/PROMPT> /);
  assert.ok(!/cannot set terminal process group|no job control/.test(s.out), s.out);
  let mark = s.out.length;
  s.send('echo sid=$(ps -o sid= -p $$) pid=$$ tpgid=$(ps -o tpgid= -p $$)\n');
  const ids = (await s.waitFor(/sid=\s*\d+ pid=\d+ tpgid=\s*\d+/, mark)).match(/sid=\s*(\d+) pid=(\d+) tpgid=\s*(\d+)/)!;
  assert.is(ids[1], ids[2], 'the shell is the session leader');
  assert.is(ids[3], ids[2], 'its process group owns the terminal');
  mark = s.out.length;
  s.send('sleep 30\n');
  await new Promise((r) => setTimeout(r, 300));
  s.send('\x1a');
  await s.waitFor(/Stopped\s+sleep 30/, mark);
  mark = s.out.length;
  s.send('jobs; bg; jobs\n');
  await s.waitFor(/Running\s+sleep 30 &/, mark);
  mark = s.out.length;
  s.send('fg\n');
  await new Promise((r) => setTimeout(r, 300));
  s.send('\x03');
  await s.waitFor(/PROMPT> $/, mark + 5);
  mark = s.out.length;
  s.send('jobs; echo jobs-done\n');
  const after = await s.waitFor(/jobs-done\r\n/, mark);
  assert.not.match(after, /sleep 30/, 'the job was interrupted in the foreground');
  s.send('exit 0\n');
  assert.equal(await s.closed, [0, null]);
});

test("the master fd is close-on-exec and non-blocking; the program's end is its 0, 1, 2", async () => {
  const s = session(t.pid);
  await s.waitFor(/PROMPT> /);
  const fd = (s.child.pty as unknown as { _handle: { fd: number } })._handle.fd;
  const flags = parseInt(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').match(/flags:\s*(\d+)/)![1]!, 8);
  assert.ok(flags & 0o2000000, 'O_CLOEXEC');
  assert.ok(flags & 0o4000, 'O_NONBLOCK');
  const fds = ['0', '1', '2'].map((n) => statSync(`/proc/${s.child.pid}/fd/${n}`).rdev);
  assert.is(new Set(fds).size, 1);
  s.child.kill('SIGKILL');
  assert.equal(await s.closed, [null, 'SIGKILL']);
});

test("without the mount namespace the pty is the host's, and its name is right for the program", async () => {
  const s = session(t.pid, { namespaces: ['uts'] });
  assert.is(s.child.ptyInfo!.source, 'host');
  await s.waitFor(/PROMPT> /);
  const mark = s.out.length;
  s.send('tty\n');
  const text = await s.waitFor(/\/dev\/pts\/\d+/, mark);
  assert.is(text.match(/\/dev\/pts\/\d+/)![0], s.child.ptyInfo!.path);
  s.send('exit\n');
  await s.closed;
});

test("a container without a devpts of its own gets the host's pty, and ptyInfo says why", async () => {
  const s = session(noPts.pid);
  assert.is(s.child.ptyInfo!.source, 'host');
  assert.ok(s.child.ptyInfo!.fallbackReason, 'a reason is given');
  await s.waitFor(/PROMPT> /);
  const mark = s.out.length;
  // The reason the container's devpts is preferred: there the host's pty has no name.
  s.send('tty; echo rc=$?\n');
  assert.match(await s.waitFor(/rc=\d/, mark), /not a tty/);
  s.send('exit\n');
  await s.closed;
  console.log(`  fallback reason without devpts: ${s.child.ptyInfo!.fallbackReason}`);
});

test('a container in its own user namespace (rootless style) with its own devpts', async () => {
  const u = await startTarget({
    ns: ['user', 'mnt', 'pid', 'uts'],
    setup: 'mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts /dev/pts',
  });
  try {
    const child = spawn(u.pid, 'sh', ['-c', 'tty; id -u; stty size'], { pty: { cols: 77, rows: 11 } });
    live.add(child);
    let out = '';
    child.pty!.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const [code] = await new Promise<[number | null]>((res) => child.on('close', (c) => res([c])));
    assert.is(code, 0);
    assert.is(child.ptyInfo!.source, 'target');
    assert.is(out, '/dev/pts/0\r\n0\r\n11 77\r\n');
  } finally {
    u.kill();
  }
});

test('pty options are checked: TypeError/RangeError, never a crash', () => {
  assert.throws(
    () => spawn(t.pid, 'true', [], { pty: 'yes' as never }),
    (e: unknown) => e instanceof TypeError,
  );
  assert.throws(
    () => spawn(t.pid, 'true', [], { pty: { cols: 0 } }),
    (e: unknown) => e instanceof RangeError,
  );
  assert.throws(
    () => spawn(t.pid, 'true', [], { pty: { cols: 1.5 } }),
    (e: unknown) => e instanceof RangeError,
  );
  assert.throws(
    () => spawn(t.pid, 'true', [], { pty: { cols: 80, rows: 24, depth: 1 } as never }),
    (e: unknown) => e instanceof TypeError,
  );
  assert.throws(
    () => spawn(t.pid, 'true', [], { pty: true, stdio: 'inherit' }),
    (e: unknown) => e instanceof TypeError,
  );
  assert.throws(
    () => execFile(t.pid, 'true', [], { pty: true } as never),
    (e: unknown) => e instanceof TypeError,
  );
  assert.throws(
    () => spawnSync(t.pid, 'true', [], { pty: true } as never),
    (e: unknown) => e instanceof TypeError,
  );
  const plain = spawn(t.pid, 'true');
  assert.is(plain.pty, null);
  assert.throws(
    () => plain.resize(80, 24),
    (e: unknown) => e instanceof TypeError,
  );
});

test("nobody reads the pty: 'close' still comes once the program exits (as child_process flushes stdio)", async () => {
  const child = spawn(t.pid, 'sh', ['-c', 'echo unread output; exit 6'], { pty: true });
  const [code] = await new Promise<[number | null]>((res) => child.on('close', (c) => res([c])));
  assert.is(code, 6);
  assert.ok(child.pty!.destroyed);
});

test('a missing program on a pty is an ENOENT error event, and the pty closes', async () => {
  const child = spawn(t.pid, 'no-such-program-here', [], { pty: true });
  const err = await new Promise<NodeJS.ErrnoException>((res) => child.on('error', res));
  assert.is(err.code, 'ENOENT');
  await new Promise((res) => child.on('close', res));
  assert.ok(child.pty!.destroyed);
});

test.run();
