// A docker container acting as the attacker against what nsjoin starts inside it (issue 22, the
// exec side). The container is root inside with docker's defaults; it controls its own binaries,
// its environment and its /dev. Each test below is an attack that got through before the fix.
import { spawn as nodeSpawn, spawnSync as nodeSpawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn } from '../../lib/index.js';
import { readUnderPidfd } from '../../lib/pidfd.js';
import { nsjoin } from '../helpers/cli.js';
import { docker, startDocker, withRuntime, type RealContainer } from '../helpers/runtimes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const statusField = (text: string, name: string) => text.match(new RegExp(`^${name}:\\s*(\\S+)`, 'm'))?.[1];
const pid1Status = (c: RealContainer) => readFileSync(`/proc/${c.pid}/status`, 'utf8');
const work = mkdtempSync(join(tmpdir(), 'nsjoin-hostile-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/** Compiles a small C program of the test (the addon's build needs a compiler anyway). */
function cc(name: string, source: string, flags: string[] = []): string {
  const src = join(work, `${name}.c`),
    out = join(work, name);
  writeFileSync(src, source);
  const r = nodeSpawnSync('cc', ['-O1', '-o', out, src, ...flags], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cc ${name}: ${r.stderr}`);
  return out;
}

// The host's root disk, as the container would name it in a device node it makes (CAP_MKNOD is in
// docker's default set; the device cgroup stops the container opening it, not the host).
const rootDev = statSync('/').dev;
const DISK = { major: Math.floor(rootDev / 256) & 0xfff, minor: (rootDev & 0xff) | (Math.floor(rootDev / 4096) & 0xfff00) };

/**
 * Replaces the container's /bin/sh with a wrapper that records the privileges it got and tries
 * to mount the host's disk and write a file on the host, then runs the real shell.
 */
function plantShellWrapper(c: RealContainer, marker: string): string {
  const report = `/tmp/wrapper-${process.pid}`;
  const wrapper = `#!/bin/busybox sh
{ /bin/busybox grep -E '^(CapEff|CapPrm|CapBnd|CapInh|CapAmb|NoNewPrivs):' /proc/self/status
  echo "cgroup=$(/bin/busybox md5sum < /proc/self/cgroup | /bin/busybox cut -c1-32)"
  /bin/busybox mknod /tmp/hd b ${DISK.major} ${DISK.minor} 2>&1
  /bin/busybox head -c 512 /tmp/hd > /dev/null 2>&1 && echo READ-DISK
  /bin/busybox mkdir -p /tmp/hostmnt
  /bin/busybox mount /tmp/hd /tmp/hostmnt 2>&1 && echo MOUNTED && echo pwned > /tmp/hostmnt${marker} && echo WROTE
} > ${report} 2>&1
exec /bin/busybox sh "$@"
`;
  const r = nodeSpawnSync(
    'docker',
    ['exec', '-i', c.name, '/bin/busybox', 'sh', '-c', 'rm /bin/sh && cat > /bin/sh && chmod 755 /bin/sh'],
    { input: wrapper, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`planting the wrapper: ${r.stderr}`);
  return report;
}

function readReport(c: RealContainer, report: string): string {
  const text = readFileSync(`/proc/${c.pid}/root${report}`, 'utf8');
  rmSync(`/proc/${c.pid}/root${report}`);
  return text;
}

function assertContained(c: RealContainer, text: string, marker: string, how: string): void {
  const pid1 = pid1Status(c);
  for (const set of ['CapEff', 'CapPrm', 'CapBnd', 'CapInh', 'CapAmb', 'NoNewPrivs']) {
    assert.is(statusField(text, set), statusField(pid1, set), `${how}: ${set} is the container's pid 1's`);
  }
  const cg = nodeSpawnSync('md5sum', { input: readFileSync(`/proc/${c.pid}/cgroup`), encoding: 'utf8' }).stdout.slice(0, 32);
  assert.is(text.match(/cgroup=(\w+)/)?.[1], cg, `${how}: the program is in the container's cgroups`);
  assert.not.match(text, /READ-DISK/, `${how}: the host's disk could not be opened (the container's device cgroup)`);
  assert.not.match(text, /MOUNTED|WROTE/, `${how}: the host's disk was not mounted`);
  assert.not.ok(existsSync(marker), `${how}: no file was written on the host`);
}

withRuntime(
  'docker',
  "a container's own /bin/sh gets the container's capabilities, no_new_privs and cgroup, not host root's (execFile and nsjoin exec)",
  async () => {
    const cases: Array<[string, string[]]> = [
      ['docker defaults', []],
      ['no-new-privileges, only NET_ADMIN', ['--security-opt', 'no-new-privileges', '--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN']],
    ];
    for (const [label, flags] of cases) {
      const c = startDocker({ flags });
      const marker = join(work, `pwned-${label.replace(/\W+/g, '-')}`);
      try {
        const report = plantShellWrapper(c, marker);
        const r = await execFile(c.pid, '/bin/sh', ['-c', 'echo hello']);
        assert.is(r.stdout, 'hello\n');
        assertContained(c, readReport(c, report), marker, `${label}, execFile`);

        const cli = await nsjoin(['exec', '-t', c.id.slice(0, 12), '--', 'sh', '-c', 'echo hello']);
        assert.is(cli.stdout, 'hello\n', cli.stderr);
        assertContained(c, readReport(c, report), marker, `${label}, nsjoin exec`);

        const pty = spawn(c.pid, 'sh', ['-c', 'echo hello'], { pty: true });
        await new Promise((resolve) => pty.once('close', resolve));
        assertContained(c, readReport(c, report), marker, `${label}, spawn with a pty (exec -it)`);
      } finally {
        c.remove();
        rmSync(marker, { force: true });
      }
    }
    // The docker default really is a80425fb here, so "the container's" above is not "anything".
  },
);

withRuntime('docker', "privileges: 'caller' is the explicit way to keep host root's capabilities", async () => {
  const c = startDocker();
  try {
    const own = statusField(readFileSync('/proc/self/status', 'utf8'), 'CapEff');
    const r = await execFile(c.pid, 'grep', ['CapEff', '/proc/self/status'], { privileges: 'caller' });
    assert.is(statusField(r.stdout, 'CapEff'), own);
    const t = await execFile(c.pid, 'grep', ['CapEff', '/proc/self/status']);
    assert.is(statusField(t.stdout, 'CapEff'), '00000000a80425fb', "docker's default set");
    const cli = await nsjoin(['exec', '-t', String(c.pid), '--privileges', 'caller', '--', 'grep', 'CapEff', '/proc/self/status']);
    assert.is(statusField(cli.stdout, 'CapEff'), own, cli.stderr);
    // A host binary keeps ours by default; with only the container's set inside its pid namespace
    // the container's root could ptrace it (and reach the host's files): refused.
    const host = await execFile(c.pid, 'grep', ['CapEff', '/proc/self/status'], { namespaces: ['net'] });
    assert.is(statusField(host.stdout, 'CapEff'), own);
    assert.throws(() => spawn(c.pid, 'true', [], { namespaces: ['net', 'pid'], privileges: 'target' }), /ptrace/);
  } finally {
    c.remove();
  }
});

withRuntime(
  'docker',
  "a host binary run with namespaces: ['net'] never gets the container's PATH or LD_PRELOAD (its upperdir)",
  async () => {
    const preloadMark = join(work, 'preloaded');
    const pathMark = join(work, 'path-hijacked');
    const evil = cc(
      'evil.so',
      `#include <stdio.h>
__attribute__((constructor)) static void pwn(void) { FILE* f = fopen("${preloadMark}", "a"); if (f) { fputs("preloaded\\n", f); fclose(f); } }
`,
      ['-shared', '-fPIC'],
    );
    const c = startDocker();
    try {
      const upper = JSON.parse(docker('inspect', '-f', '{{json .GraphDriver.Data}}', c.name)).UpperDir as string;
      docker('cp', evil, `${c.name}:/evil.so`);
      docker(
        'exec',
        c.name,
        'sh',
        '-c',
        `mkdir /evilbin && printf '#!/bin/sh\\necho PWNED; touch ${pathMark}\\n' > /evilbin/id && cp /evilbin/id /evilbin/env && chmod 755 /evilbin/*`,
      );
      // The attacker's process: what its /proc/PID/environ says is the container's to choose.
      docker(
        'exec',
        '-d',
        c.name,
        'env',
        `LD_PRELOAD=${upper}/evil.so`,
        `PATH=${upper}/evilbin:/usr/bin:/bin`,
        `BASH_ENV=${upper}/evilbin/id`,
        'sleep',
        '100001',
      );
      let pid = 0;
      for (let i = 0; i < 100 && !pid; i++) {
        // The sleep itself, not `env` before it execs sleep (its environ is still docker exec's).
        const line = docker('top', c.name, '-o', 'pid,args')
          .split('\n')
          .find((l) => /^\s*\d+\s+sleep 100001$/.test(l));
        pid = line ? Number(line.trim().split(/\s+/)[0]) : 0;
        if (!pid) await sleep(50);
      }
      assert.ok(readFileSync(`/proc/${pid}/environ`, 'utf8').includes('LD_PRELOAD='), 'the target carries the attack');

      const id = await execFile(pid, 'id', ['-u'], { namespaces: ['net'] });
      assert.is(id.stdout, '0\n', "the host's id ran");
      const env = await execFile(pid, 'env', [], { namespaces: ['net'], env: 'target' });
      assert.not.match(env.stdout, /LD_PRELOAD|BASH_ENV|evilbin/, 'env: target still keeps loader variables and PATH out');
      assert.match(
        env.stdout,
        new RegExp(`^PATH=${(process.env.PATH ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
        'PATH is ours',
      );
      const cli = await nsjoin(['exec', '-n', '-t', String(pid), '--', 'id', '-u']);
      assert.is(cli.stdout, '0\n', cli.stderr);
      const cliEnv = await nsjoin(['exec', '-n', '-e', '-t', String(pid), '--', 'env']);
      assert.not.match(cliEnv.stdout, /LD_PRELOAD|evilbin/, cliEnv.stderr);
      assert.not.ok(existsSync(preloadMark), "the container's LD_PRELOAD never ran on the host");
      assert.not.ok(existsSync(pathMark), "the container's PATH never ran on the host");

      // In the container's root its own environment is the default, as docker exec gives it.
      const inside = await execFile(pid, 'sh', ['-c', 'echo $PATH']);
      assert.is(inside.stdout, `${upper}/evilbin:/usr/bin:/bin\n`);
    } finally {
      c.remove();
      rmSync(preloadMark, { force: true });
      rmSync(pathMark, { force: true });
    }
  },
);

/** Watches directories for opens (inotify IN_OPEN) from the host; prints "NAME" per event. */
function openWatcher(): string {
  return cc(
    'openwatch',
    `#include <stdio.h>
#include <sys/inotify.h>
#include <unistd.h>
int main(int argc, char** argv) {
  int fd = inotify_init1(0);
  for (int i = 1; i < argc; i++) if (inotify_add_watch(fd, argv[i], IN_OPEN) < 0) { perror(argv[i]); return 1; }
  printf("ready\\n"); fflush(stdout);
  char buf[65536] __attribute__((aligned(8)));
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return 0;
    for (char* p = buf; p < buf + n;) {
      struct inotify_event* e = (struct inotify_event*)p;
      printf("open %s\\n", e->len ? e->name : "."); fflush(stdout);
      p += sizeof *e + e->len;
    }
  }
}
`,
  );
}

/** `tty` on a pty of spawn(), with every open in the container's /dev recorded meanwhile. */
async function ttyWatched(watcher: string, c: RealContainer): Promise<{ child: ReturnType<typeof spawn>; out: string; events: string }> {
  const w = nodeSpawn(watcher, [`/proc/${c.pid}/root/dev`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let events = '';
  w.stdout!.on('data', (b: Buffer) => {
    events += b.toString();
  });
  try {
    for (let i = 0; i < 200 && !events.includes('ready'); i++) await sleep(10);
    const child = spawn(c.pid, 'sh', ['-c', 'tty'], { pty: true });
    let out = '';
    child.pty!.on('data', (b: Buffer) => {
      out += b.toString();
    });
    await new Promise((resolve) => child.once('close', resolve));
    await sleep(100);
    return { child, out, events };
  } finally {
    w.kill();
  }
}

withRuntime(
  'docker',
  "a fake /dev/ptmx (fifo, regular file, the host's disk, a symlink to it) is never opened; the host's pty is used and ptyInfo says why",
  async () => {
    const watcher = openWatcher();
    const c = startDocker();
    const fakes: Array<[string, string, RegExp]> = [
      ['a fifo', 'mkfifo /dev/ptmx', /^ENOTTY \(a fifo\)$/],
      ['a regular file', 'echo not-a-tty > /dev/ptmx', /^ENOTTY \(a regular file\)$/],
      ["the host's disk", `mknod /dev/ptmx b ${DISK.major} ${DISK.minor}`, /^ENOTTY \(a block device\)$/],
    ];
    try {
      for (const [label, make, reason] of fakes) {
        docker('exec', c.name, 'sh', '-c', `rm -f /dev/ptmx /dev/hostdisk && ${make}`);
        const { child, out, events } = await ttyWatched(watcher, c);
        assert.is(child.ptyInfo!.source, 'host', label);
        assert.match(child.ptyInfo!.fallbackReason!, reason, label);
        assert.match(out, /not a tty/, `${label}: the program runs, on the host's pty (nameless in the container)`);
        assert.not.match(events, /open ptmx/, `${label}: nothing opened the container's /dev/ptmx`);
      }
      // A symlink: never followed to the device it names; the devpts ptmx at /dev/pts/ptmx (runc's
      // own layout, ptmx -> pts/ptmx) is used instead.
      docker(
        'exec',
        c.name,
        'sh',
        '-c',
        `rm -f /dev/ptmx && mknod /dev/hostdisk b ${DISK.major} ${DISK.minor} && ln -s /dev/hostdisk /dev/ptmx`,
      );
      const { child, out, events } = await ttyWatched(watcher, c);
      assert.is(child.ptyInfo!.source, 'target');
      assert.match(out, /^\/dev\/pts\/\d+/, "the container's devpts pty, named in the container");
      assert.not.match(events, /open (hostdisk|ptmx)/, "the host's disk behind the symlink was never opened");
    } finally {
      c.remove();
    }
  },
);

withRuntime(
  'docker',
  'a paused container: the default cgroup join refuses at once (EBUSY, as runc exec) instead of freezing with Node waiting',
  async () => {
    const c = startDocker();
    try {
      docker('pause', c.name);
      // Failures after the argument checks arrive as Node delivers them: a rejection here.
      const err = await execFile(c.pid, 'true').then(
        () => undefined,
        (e: { code?: string }) => e,
      );
      assert.is(err?.code, 'EBUSY');
      docker('unpause', c.name);
      assert.is((await execFile(c.pid, 'echo', ['ok'])).stdout, 'ok\n');
    } finally {
      c.remove();
    }
  },
);

withRuntime(
  'docker',
  'a /proc read made under a pidfd fails with ESRCH when the target is gone meanwhile (exec -it, connectIn zones)',
  () => {
    const c = startDocker();
    try {
      const err = (() => {
        try {
          readUnderPidfd(c.pid, () => {
            const text = readFileSync(`/proc/${c.pid}/environ`);
            c.remove(); // the pid is free for reuse from here on
            return text;
          });
        } catch (e) {
          return e as { code?: string };
        }
        return undefined;
      })();
      assert.is(err?.code, 'ESRCH');
    } finally {
      c.remove();
    }
  },
);

test.run();
