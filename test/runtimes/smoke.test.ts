// The runtimes are up and our helpers start and remove real containers of each.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { startCtr, startDocker, startPodman, withRuntime, docker } from '../helpers/runtimes.js';

const alive = (pid: number): boolean => {
  try {
    readFileSync(`/proc/${pid}/stat`);
    return true;
  } catch {
    return false;
  }
};

withRuntime('docker', 'docker: a container runs, then is gone', () => {
  const c = startDocker();
  assert.ok(alive(c.pid));
  assert.match(readFileSync(`/proc/${c.pid}/cgroup`, 'utf8'), c.id);
  c.remove();
  assert.not.ok(alive(c.pid));
  assert.is(docker('ps', '-aq', '--filter', `name=^${c.name}$`), '');
});
withRuntime('podman', 'podman: a container runs, then is gone', () => {
  const c = startPodman();
  assert.ok(alive(c.pid));
  c.remove();
  assert.not.ok(alive(c.pid));
});
withRuntime('ctr', 'containerd (ctr, k8s.io): a task runs, then is gone', () => {
  const c = startCtr();
  assert.ok(alive(c.pid));
  c.remove();
  assert.not.ok(alive(c.pid));
});
test.run();
