// deploy/kubernetes/ against the Kubernetes schemas (kubernetes-models, and the Prometheus
// Operator's for the ServiceMonitor), and the properties the README promises of it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';

const load = (file: string): Record<string, unknown> => {
  const docs = parseAllDocuments(readFileSync(new URL(`../deploy/kubernetes/${file}`, import.meta.url), 'utf8'));
  assert.is(docs.length, 1, `${file}: one document`);
  for (const d of docs) assert.equal(d.errors, [], `${file}: YAML errors`);
  return docs[0]!.toJS() as Record<string, unknown>;
};

const ds = new DaemonSet(load('daemonset.yaml') as never);
const svc = new Service(load('service.yaml') as never);
const sm = new ServiceMonitor(load('servicemonitor.yaml') as never);

test('the manifests are valid against the Kubernetes and Prometheus Operator schemas', () => {
  ds.validate();
  svc.validate();
  sm.validate();
});

test('a schema violation is caught (the validation is not a no-op)', () => {
  const bad = new DaemonSet(load('daemonset.yaml') as never);
  (bad.spec!.template.spec!.containers[0] as unknown as Record<string, unknown>)['ports'] = [{ containerPort: 'nine' }];
  assert.throws(() => bad.validate());
  const badSm = new ServiceMonitor(load('servicemonitor.yaml') as never);
  (badSm.spec.endpoints![0] as unknown as Record<string, unknown>)['honorLabels'] = 'yes';
  assert.throws(() => badSm.validate());
});

test('DaemonSet: host pid namespace, not privileged, all capabilities dropped but two, read-only mounts', () => {
  const pod = ds.spec!.template.spec!;
  assert.is(pod.hostPID, true);
  assert.not.ok(pod.hostNetwork, "own network namespace: the node's is told apart from the containers'");
  const c = pod.containers[0]!;
  assert.is(c.securityContext!.privileged, false);
  assert.is(c.securityContext!.allowPrivilegeEscalation, false);
  assert.is(c.securityContext!.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext!.capabilities!.drop, ['ALL']);
  assert.equal(c.securityContext!.capabilities!.add, ['SYS_PTRACE', 'DAC_READ_SEARCH']);
  const mounts = c.volumeMounts!;
  assert.ok(mounts.length >= 5);
  for (const m of mounts) assert.is(m.readOnly, true, `${m.mountPath} read-only`);
  for (const path of ['/sys/fs/cgroup', '/var/log/pods', '/var/lib/docker/containers', '/run/containerd']) {
    assert.ok(
      mounts.some((m) => m.mountPath === path),
      `${path} mounted`,
    );
  }
  for (const v of pod.volumes!) assert.ok(v.hostPath, `${v.name} is a host path`);
  assert.equal(c.args, ['serve', '--listen', '0.0.0.0:9101']);
  assert.is(c.ports![0]!.containerPort, 9101);
});

test("Service and ServiceMonitor: the exporter's port, honorLabels: true", () => {
  assert.equal(svc.spec!.selector, ds.spec!.selector.matchLabels);
  assert.is(svc.spec!.ports![0]!.targetPort, 'metrics');
  assert.equal(sm.spec.selector.matchLabels, svc.metadata!.labels);
  const ep = sm.spec.endpoints![0]!;
  assert.is(ep.port, 'metrics');
  assert.is(ep.path, '/metrics');
  assert.is(ep.honorLabels, true);
});

test.run();
