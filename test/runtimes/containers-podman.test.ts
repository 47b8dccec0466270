// Real podman containers: name and image from podman's container store, as podman inspect says;
// a docker and a podman container of the same name make that name ambiguous (both are listed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findContainer } from '../../lib/container-find.js';
import { listContainers } from '../../lib/containers.js';
import { NsError } from '../../lib/errors.js';
import { memoryView } from '../../lib/views.js';
import { nsjoin } from '../helpers/cli.js';
import { podman, startDocker, startPodman, uniqueName, withRuntime } from '../helpers/runtimes.js';

const MiB = 1024 * 1024;

withRuntime('podman', 'podman: name, image and cgroup as podman inspect says; memory limit by name', async () => {
  const c = startPodman({ flags: ['--memory', '96m'] });
  try {
    const got = listContainers().find((x) => x.id === c.id);
    assert.ok(got);
    assert.is(got.runtime, 'podman');
    assert.is(got.name, podman('inspect', '-f', '{{.Name}}', c.id));
    assert.is(got.image, podman('inspect', '-f', '{{.ImageName}}', c.id));
    assert.is(got.pid, c.pid);
    assert.match(got.cgroup, new RegExp(`/libpod-${c.id}$`));
    assert.is(memoryView({ container: c.name }).total, 96 * MiB);
    const r = await nsjoin(['free', '-m', c.name]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout.split('\n')[1]!, /^Mem:\s+96\s/);
  } finally {
    c.remove();
  }
});

withRuntime('podman', 'one name in docker and podman: an error listing both', () => {
  const name = uniqueName('twin');
  const p = startPodman({ name });
  let d;
  try {
    d = startDocker({ name });
    assert.throws(
      () => findContainer(name),
      (e: unknown) =>
        e instanceof NsError &&
        e.code === 'ENSJOIN_AMBIGUOUS_CONTAINER' &&
        e.message.includes(`${p.id.slice(0, 12)} ${name} (podman`) &&
        e.message.includes(`${d!.id.slice(0, 12)} ${name} (docker`),
    );
  } finally {
    d?.remove();
    p.remove();
  }
});

test.run();
