// Real docker containers: listed with the name, image, runtime and pid that docker itself reports;
// found by name (library and CLI); gone from the list (and from the name cache) once removed.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findContainer } from '../../lib/container-find.js';
import { listContainers } from '../../lib/containers.js';
import { NsError } from '../../lib/errors.js';
import { execFile } from '../../lib/spawn.js';
import { cgroupOf } from '../../lib/cgroup/locate.js';
import { meminfo, memoryView } from '../../lib/views.js';
import { resolveTarget } from '../../lib/targets.js';
import { nsjoin } from '../helpers/cli.js';
import { docker, IMAGE, SLEEP_ONLY_IMAGE, startDocker, withRuntime } from '../helpers/runtimes.js';

withRuntime('docker', 'docker: name, image, runtime, pid and cgroup as docker inspect says', () => {
  const c = startDocker({ flags: ['--memory', '64m'] });
  const s = startDocker({ image: SLEEP_ONLY_IMAGE });
  try {
    const all = listContainers();
    const got = all.find((x) => x.id === c.id);
    assert.ok(got, `listed: ${JSON.stringify(all.map((x) => x.name))}`);
    assert.is(got.runtime, 'docker');
    assert.is(got.name, docker('inspect', '-f', '{{.Name}}', c.id).slice(1));
    assert.is(got.image, docker('inspect', '-f', '{{.Config.Image}}', c.id));
    assert.is(got.image, IMAGE);
    assert.is(got.pid, c.pid);
    assert.is(got.cgroup, `/docker/${c.id}`);
    assert.is(got.pod, undefined);
    assert.is(got.sandbox, undefined);
    assert.is(all.find((x) => x.id === s.id)?.image, SLEEP_ONLY_IMAGE);
    // docker's own task in containerd's moby namespace is not listed a second time as containerd's
    assert.is(all.filter((x) => x.id === c.id).length, 1);
  } finally {
    c.remove();
    s.remove();
  }
});

withRuntime('docker', 'docker: a target by name, in the library and on the command line; gone once removed', async () => {
  const c = startDocker();
  try {
    assert.is(resolveTarget({ container: c.name }), c.pid);
    assert.is(findContainer(c.name).id, c.id);
    const { stdout } = await execFile({ container: c.name }, 'cat', ['/etc/hostname']);
    assert.is(stdout.trim(), c.id.slice(0, 12));
    const r = await nsjoin(['free', '--json', c.name]);
    assert.is(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { container: unknown }).container, { id: c.id, runtime: 'docker', name: c.name });
    const ps = await nsjoin(['ps', '-i', '100']);
    const row = ps.stdout.split('\n').find((l) => l.startsWith(c.id.slice(0, 12)));
    assert.match(row ?? '', new RegExp(`^${c.id.slice(0, 12)}\\s+${c.name}\\s+${IMAGE}\\s+docker\\s+${c.pid}\\s+1\\s+-\\s+-\\s+-\\s`));
  } finally {
    c.remove();
  }
  assert.not.ok(listContainers().some((x) => x.id === c.id || x.name === c.name));
  assert.throws(
    () => resolveTarget({ container: c.name }),
    (e: unknown) => e instanceof NsError && e.code === 'ENSJOIN_NO_CONTAINER',
  );
  const r = await nsjoin(['stats', c.name]);
  assert.is(r.status, 1);
  assert.match(r.stderr, new RegExp(`^nsjoin: no container matches '${c.name}'.*nsjoin ps`));
});

withRuntime('docker', "docker: a name that is also another container's id prefix resolves to the name, as docker does", () => {
  const first = startDocker();
  const hexName = first.id.slice(0, 6);
  const second = startDocker({ name: `${hexName}` });
  try {
    assert.is(findContainer(hexName).id, second.id);
    assert.is(findContainer(first.id).id, first.id, 'an exact id wins');
  } finally {
    second.remove();
    first.remove();
  }
});

withRuntime('docker', 'the readers of a container that is gone: ESRCH, as every reader says', () => {
  const c = startDocker();
  const pid = c.pid;
  c.remove();
  const esrch = (e: unknown): boolean => e instanceof NsError && e.code === 'ESRCH' && e.pid === pid;
  assert.throws(() => meminfo(pid), esrch);
  assert.throws(() => memoryView(pid), esrch);
  assert.throws(() => cgroupOf(pid), esrch);
});

withRuntime('docker', "a process that names itself to fake an early start time does not become the container's pid", () => {
  const c = startDocker();
  try {
    // Read naively (fields split after the FIRST ')'), this name puts cutime (0) where the start
    // time is: the container's latest process would look like its oldest, the one to join.
    const fake = 'x) S 1 1 1 0 0';
    docker('exec', '-d', c.name, 'sh', '-c', `printf '${fake}' > /proc/self/comm; sleep 100000; :`);
    let attacker: number | undefined;
    for (let i = 0; i < 100 && attacker === undefined; i++) {
      attacker = findContainer(c.name).pids.find((p) => {
        try {
          return readFileSync(`/proc/${p}/comm`, 'utf8') === `${fake}\n`;
        } catch {
          return false;
        }
      });
      if (attacker === undefined) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
    assert.ok(attacker, 'the renamed process is in the container');
    assert.is.not(attacker, c.pid);
    assert.is(findContainer(c.name).pid, c.pid, "the container's pid is still its init");
    assert.is(resolveTarget({ container: c.name }), c.pid);
  } finally {
    c.remove();
  }
});

test.run();
