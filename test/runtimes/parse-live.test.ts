// Valid input must parse: the /proc files and the cgroup files of a real container of each runtime
// (docker, podman, a containerd task), read live. With NSJOIN_CAPTURE_TO=DIR the docker container's
// files and this host's own are also saved there as a fake root (proc/..., sys/fs/cgroup/...): that is
// how test/fixtures/captures/hybrid-docker-6.18/ was made.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMountinfo } from '../../lib/parse/mountinfo.js';
import { parseProcCgroup } from '../../lib/parse/proc-cgroup.js';
import { checkCgroupTree, checkProcesses, type LiveCheck } from '../helpers/live-files.js';
import { startCtr, startDocker, startPodman, withRuntime, type RealContainer } from '../helpers/runtimes.js';

/** The container's cgroup directories, from its /proc/PID/cgroup and our mountinfo, by hand. */
function cgroupDirs(pid: number): string[] {
  const mounts = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).filter(
    (m) => m.fsType === 'cgroup' || m.fsType === 'cgroup2',
  );
  const out: string[] = [];
  for (const e of parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))) {
    const m = mounts.find((x) =>
      e.hierarchyId === 0 ? x.fsType === 'cgroup2' : x.fsType === 'cgroup' && e.controllers.every((c) => x.superOptions.includes(c)),
    );
    if (m && m.root === '/') out.push(join(m.mountPoint, e.path));
  }
  return [...new Set(out)];
}

function checkContainer(c: RealContainer): void {
  const live: LiveCheck = { parsed: 0, failures: [] };
  checkProcesses(live, [String(c.pid)]);
  const dirs = cgroupDirs(c.pid);
  assert.ok(dirs.length > 0, 'its cgroup directories are found');
  for (const d of dirs) checkCgroupTree(d, live, 0);
  console.log(`  ${c.runtime}: ${live.parsed} files parsed (/proc/${c.pid}/*, ${dirs.length} cgroup directories)`);
  assert.equal(live.failures, []);
  assert.ok(live.parsed >= 3, `${live.parsed} files`);
}

function capture(c: RealContainer, to: string): void {
  const put = (from: string, rel: string): void => {
    const dest = join(to, rel);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, readFileSync(from)); // not copyFileSync: /proc and /sys files say size 0
  };
  for (const f of ['mountinfo', 'cgroup']) put(`/proc/self/${f}`, `proc/self/${f}`);
  put('/proc/self/net/dev', 'proc/net/dev');
  for (const f of ['mountinfo', 'cgroup', 'net/dev']) put(`/proc/${c.pid}/${f}`, `proc/${c.pid}/${f}`);
  for (const d of cgroupDirs(c.pid)) {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      // Readable regular files only (write-only ones such as cgroup.kill are left out).
      if (!statSync(p).isFile() || !(statSync(p).mode & 0o444)) continue;
      try {
        readFileSync(p);
      } catch {
        continue;
      }
      put(p, p.slice(1));
    }
  }
}

for (const [runtime, start] of [
  ['docker', startDocker],
  ['podman', startPodman],
  ['ctr', startCtr],
] as const) {
  withRuntime(runtime, `${runtime}: a container's /proc files and cgroup files parse`, () => {
    const c = start();
    try {
      checkContainer(c);
      if (runtime === 'docker' && process.env.NSJOIN_CAPTURE_TO) capture(c, process.env.NSJOIN_CAPTURE_TO);
    } finally {
      c.remove();
    }
  });
}

test.run();
