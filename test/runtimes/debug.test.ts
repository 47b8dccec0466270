// nsjoin debug against a real docker container whose image is one static binary (/sleep): no
// shell, no ps, no ip inside. The host's tools must see the container (its processes, devices,
// hostname, files) and leave nothing behind in it or on the host.
import { execFile as execFileCb, spawn as spawnCb } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn } from '../../lib/index.js';
import { parseDebugArgs } from '../../lib/cli/debug.js';
import { BIN, nsjoin } from '../helpers/cli.js';
import { docker, podman, SLEEP_ONLY_IMAGE, startDocker, startPodman, withRuntime, type RealContainer } from '../helpers/runtimes.js';

const run = promisify(execFileCb);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let c: RealContainer | undefined;
const container = (): RealContainer => (c ??= startDocker({ image: SLEEP_ONLY_IMAGE }));
const short = () => container().id.slice(0, 12);
test.after(() => {
  c?.remove();
});

/** The host's proc and sysfs mounts: a debug session must add none (it mounts in its own namespace). */
const hostSpecialMounts = () =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => / - (proc|sysfs) /.test(l))
    .map((l) => l.split(' ').slice(4, 5).join(' '))
    .sort();

test('parseDebugArgs: TARGET, -it, the program after --, $SHELL by default', () => {
  assert.equal(parseDebugArgs(['3f2a', '--', 'ps', '-ef'], '/bin/bash'), {
    target: { container: '3f2a' },
    file: 'ps',
    args: ['-ef'],
    options: { debug: true },
    interactive: false,
    tty: false,
  });
  const it = parseDebugArgs(['-it', '1234'], '/bin/zsh')!;
  assert.equal([it.target, it.file, it.args, it.interactive, it.tty], [1234, '/bin/zsh', [], true, true]);
  assert.is(parseDebugArgs(['1234'], null)!.file, '/bin/sh');
  assert.throws(() => parseDebugArgs([]), /missing TARGET/);
});

withRuntime('docker', 'the image has nothing to run: nsjoin exec gives 127', async () => {
  const r = await nsjoin(['exec', '-t', short(), '--', 'ps']);
  assert.is(r.status, 127, r.stderr);
});

withRuntime('docker', "nsjoin debug: the container's hostname, processes, devices and files with the host's tools", async () => {
  const mountsBefore = hostSpecialMounts();
  const r = await nsjoin([
    'debug',
    short(),
    '--',
    '/bin/sh',
    '-c',
    'hostname; echo ---; ps -eo pid,args; echo ---; cat /proc/net/dev; echo ---; ls -A /proc/1/root; echo ---; ls /sys/class/net; exit 7',
  ]);
  assert.is(r.status, 7, r.stderr);
  const [hostname, ps, netdev, files, sysnet] = r.stdout.split('---\n').map((s) => s.trim());
  assert.is(hostname, docker('inspect', '-f', '{{.Config.Hostname}}', container().name));
  const rows = ps!
    .split('\n')
    .slice(1)
    .map((l) => l.trim());
  assert.is(rows[0], '1 /sleep 100000', ps);
  // Only the container's process and ours (sh, ps): no host process such as this test's node.
  assert.ok(rows.length <= 4, ps);
  assert.not.ok(
    rows.some((l) => l.includes('node') || l.includes('dockerd')),
    ps,
  );
  const devices = netdev!
    .split('\n')
    .slice(2)
    .map((l) => l.slice(0, l.lastIndexOf(':')).trim())
    .sort();
  assert.equal(devices, ['eth0', 'lo']);
  assert.ok(readFileSync('/proc/net/dev', 'utf8').includes('docker0'), 'the host has docker0, which the container must not show');
  assert.equal(files!.split('\n').sort(), readdirSync(`/proc/${container().pid}/root`).sort());
  assert.equal(sysnet!.split(/\s+/).sort(), ['eth0', 'lo']);
  // Nothing left behind: no change in the container's filesystem, no new proc or sysfs mount here.
  assert.is(docker('diff', container().name), '');
  assert.equal(hostSpecialMounts(), mountsBefore);
});

withRuntime('docker', 'exit statuses pass through: codes and 128+signal', async () => {
  assert.is((await nsjoin(['debug', short(), '--', '/bin/sh', '-c', 'exit 0'])).status, 0);
  assert.is((await nsjoin(['debug', short(), '--', '/bin/sh', '-c', 'exit 42'])).status, 42);
  assert.is((await nsjoin(['debug', short(), '--', '/bin/sh', '-c', 'kill -TERM $$'])).status, 128 + 15);
  const missing = await nsjoin(['debug', short(), '--', 'no-such-tool-anywhere']);
  assert.is(missing.status, 127);
});

withRuntime('docker', "library: spawn/execFile with { debug: true }; the host PATH and environment, not the target's", async () => {
  const { stdout } = await execFile(container().pid, 'sh', ['-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo; echo "$NSJOIN_DEBUG_MARK"'], {
    debug: true,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NSJOIN_DEBUG_MARK: 'from-host' },
  });
  assert.equal(stdout.split('\n').slice(0, 2), ['/sleep 100000 ', 'from-host']);
  // Default environment: ours (the target's PATH would name directories of the container's image).
  const env = await execFile(container().pid, 'sh', ['-c', 'echo "$PATH"'], { debug: true });
  assert.is(env.stdout.trim(), process.env.PATH);
  assert.throws(() => spawn(container().pid, 'sh', [], { debug: true, namespaces: ['mnt'] }), /mount or user namespace/);
  assert.throws(() => spawn(container().pid, 'sh', [], { debug: true, root: true }), /mount or user namespace/);
  assert.throws(
    () => spawn(container().pid, 'sh', [], { debug: 'yes' as unknown as boolean }),
    (e: unknown) => e instanceof TypeError,
  );
});

withRuntime('docker', 'a target that is gone: one clear line, status 1', async () => {
  const gone = startDocker({ image: SLEEP_ONLY_IMAGE });
  const id = gone.id.slice(0, 12);
  gone.remove();
  const r = await nsjoin(['debug', id, '--', 'true']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /^nsjoin: no container matches/);
  assert.is(r.stderr.trim().split('\n').length, 1);
});

withRuntime('docker', 'the session dies with nsjoin, even when nsjoin is SIGKILLed', async () => {
  const cli = spawnCb(process.execPath, [BIN, 'debug', short(), '--', 'sleep', '1000'], { stdio: 'ignore' });
  let program = 0;
  for (let i = 0; i < 200 && !program; i++) {
    await sleep(25);
    for (const task of readdirSync(`/proc/${cli.pid}/task`)) {
      for (const kid of readFileSync(`/proc/${cli.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
        try {
          if (readFileSync(`/proc/${kid}/cmdline`, 'utf8').startsWith('sleep\0')) program = Number(kid);
        } catch {
          /* gone */
        }
      }
    }
  }
  assert.ok(program > 0, 'the program did not start');
  cli.kill('SIGKILL');
  for (let i = 0; i < 200; i++) {
    try {
      if (readFileSync(`/proc/${program}/stat`, 'utf8').split(') ')[1]!.startsWith('Z')) break;
    } catch {
      break;
    }
    await sleep(25);
  }
  let state = 'gone';
  try {
    state = readFileSync(`/proc/${program}/stat`, 'utf8').split(') ')[1]![0]!;
  } catch {
    /* gone */
  }
  assert.ok(state === 'gone' || state === 'Z', `program still ${state}`);
});

withRuntime('docker', '-it under tmux: a host shell that sees the container, and its exit status', async () => {
  const socket = `nsjoin-debug-${process.pid}`;
  const tmux = (...a: string[]) => run('tmux', ['-L', socket, ...a]).then((r) => r.stdout);
  try {
    await tmux(
      'new-session',
      '-d',
      '-s',
      'dbg',
      '-x',
      '100',
      '-y',
      '30',
      `${process.execPath} ${BIN} debug -it ${short()} -- /bin/sh; echo "exit=$?"; sleep 30`,
    );
    const waitFor = async (re: RegExp): Promise<string> => {
      for (let i = 0; i < 200; i++) {
        const text = await tmux('capture-pane', '-p', '-t', 'dbg');
        if (re.test(text)) return text;
        await sleep(50);
      }
      throw new Error(`timed out waiting for ${re}:\n${await tmux('capture-pane', '-p', '-t', 'dbg')}`);
    };
    await waitFor(/#\s*$/m);
    await tmux('send-keys', '-t', 'dbg', 'ps -o pid,args | grep -c . ; tty; exit 3', 'Enter');
    const screen = await waitFor(/exit=3/);
    assert.match(screen, /\/dev\/pts\/\d+/);
    assert.match(screen, /^[2-5]$/m); // header + /sleep + sh + ps (+ grep): the container's table, not the host's
  } finally {
    await tmux('kill-server').catch(() => {});
  }
});

/**
 * The attack: root inside the container looks for the debug session's process (its root is the
 * host's filesystem) and tries to read the host's files through /proc/PID/root.
 */
async function probeFromInside(target: RealContainer, execInside: (script: string) => string): Promise<string> {
  const marker = `nsjoin-debug-probe-${process.pid}`;
  const cli = spawnCb(process.execPath, [BIN, 'debug', target.id.slice(0, 12), '--', 'sh', '-c', `sleep 20 # ${marker}`], {
    stdio: 'ignore',
  });
  try {
    // The marker is split in the script, so that the probe's own shell does not match it.
    const split = `"${marker.slice(0, 8)}""${marker.slice(8)}"`;
    const script =
      `for p in /proc/[0-9]*; do if grep -q ${split} $p/cmdline 2>/dev/null; then echo "found \${p#/proc/}"; ` +
      `cat $p/root/etc/hostname 2>&1; ls $p/root/proc/1/ 2>&1 | head -1; fi; done`;
    for (let i = 0; i < 100; i++) {
      const out = execInside(script);
      if (out.includes('found')) return out;
      await sleep(50);
    }
    throw new Error('the debug session never appeared inside the container');
  } finally {
    cli.kill('SIGKILL');
  }
}

withRuntime(
  'docker',
  "attack: root in a default docker container cannot reach the host's files through the session's /proc/PID/root",
  async () => {
    const busy = startDocker();
    try {
      const out = await probeFromInside(busy, (script) => docker('exec', busy.name, 'sh', '-c', script));
      assert.not.match(out, readFileSync('/etc/hostname', 'utf8').trim());
      assert.match(out, /Permission denied/, out);
    } finally {
      busy.remove();
    }
  },
);

withRuntime('podman', "attack: root of a user-namespaced podman container cannot ptrace the session or read the host's files", async () => {
  const userns = startPodman({ flags: ['--uidmap', '0:200000:65536', '--gidmap', '0:200000:65536'] });
  try {
    // The session stays in our user namespace: root in the container's is not capable over it.
    const out = await probeFromInside(userns, (script) => podman('exec', userns.name, 'sh', '-c', script));
    assert.not.match(out, readFileSync('/etc/hostname', 'utf8').trim());
    assert.match(out, /Permission denied/, out);
    const { stdout } = await execFile(userns.pid, 'cat', ['/proc/self/uid_map'], { debug: true });
    assert.match(stdout, /^\s*0\s+0\s+4294967295/);
  } finally {
    userns.remove();
  }
});

test.run();
