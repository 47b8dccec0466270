// The audit rules on captured facts: real containers' /proc files from the cgroup v1 host, and a
// cgroup v2 tree read through the same reader as a live host. Pure logic; no container needed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { evaluateAudit, evaluateHost, type ContainerFacts, type HostFacts, type NamespaceType } from '../lib/index.js';
import { parseMountinfo, parseProcStatus } from '../lib/parse/index.js';
import { readContainerFacts } from '../lib/audit/read.js';
import { capabilityBits } from '../lib/audit/capabilities.js';
import { escapeText } from '../lib/cli/escape.js';

const V1 = new URL('./fixtures/audit/v1-docker/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, V1), 'utf8');
const ns = (path: string): Partial<Record<NamespaceType, number>> => JSON.parse(read(path)) as Partial<Record<NamespaceType, number>>;

/** Facts of a captured v1 container, as read.ts would assemble them on that host. */
function v1Facts(name: string, over: Partial<ContainerFacts> = {}): ContainerFacts {
  const limit = (file: string, unlimited: (v: string) => boolean, value: (v: string) => number) => {
    const v = read(`${name}/${file}`).trim();
    return { limit: unlimited(v) ? null : value(v), file, value: v };
  };
  return {
    pid: 4242,
    runtime: 'docker',
    capLastCap: 40,
    status: parseProcStatus(read(`${name}/status`)),
    namespaces: ns(`${name}/ns.json`),
    hostNamespaces: ns('host-ns.json'),
    hostNamespacesFrom: '/proc/self/ns',
    lsm: { host: [], hostFrom: 'securityfs not mounted', label: null, labelFile: '/proc/4242/attr/current' },
    mounts: parseMountinfo(read(`${name}/mountinfo`)),
    hostMounts: parseMountinfo(read('host-mountinfo')),
    procPaths: ['/proc/sys', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/keys', '/proc/timer_list', '/proc/acpi'],
    hostSockets: ['/run/containerd/containerd.sock', '/run/docker.sock'],
    devices: { version: 1, file: 'devices.list', list: read(`${name}/devices.list`) },
    limits: {
      memory: limit('memory.limit_in_bytes', (v) => Number(v) >= 2 ** 62, Number),
      pids: limit('pids.max', (v) => v === 'max', Number),
      cpu: {
        ...limit(
          'cpu.cfs_quota_us',
          (v) => v === '-1',
          (v) => Number(v) / 100_000,
        ),
        cpuset: 2,
        hostCpus: 2,
      },
    },
    ...over,
  };
}

const ids = (f: { findings: { id: string }[] }): string[] => f.findings.map((x) => x.id);
const sev = (f: { findings: { id: string; severity: string }[] }, id: string): string | undefined =>
  f.findings.find((x) => x.id === id)?.severity;

test('v1 sane docker container: medium at worst (root-user), the v1 defaults (cgroup ns shared) low', () => {
  const r = evaluateAudit(v1Facts('sane'));
  assert.equal(ids(r), ['root-user', 'host-namespace', 'host-namespace', 'lsm-unconfined', 'no-new-privileges-off', 'host-namespace']);
  assert.equal(
    r.findings.filter((f) => f.id === 'host-namespace').map((f) => `${/host's (\w+)/.exec(f.title)![1]} ${f.severity}`),
    ['user low', 'cgroup low', 'time info'],
  );
  assert.equal(r.unknown, []);
});

test('v1 near-privileged: privileged (critical) with cap_last_cap 40, every device, /proc/sys writable', () => {
  const r = evaluateAudit(v1Facts('near-privileged'));
  assert.is(sev(r, 'privileged'), 'critical');
  assert.is(sev(r, 'all-devices'), 'critical');
  assert.is(sev(r, 'unmasked-proc'), 'high');
  assert.is(sev(r, 'added-capabilities'), 'high');
  assert.is(sev(r, 'seccomp-disabled'), 'medium');
  const p = r.findings.find((f) => f.id === 'privileged')!;
  assert.match(
    p.evidence[0]!,
    /37 of the 41 capabilities of this kernel \(cap_last_cap 40\); missing SYS_RESOURCE, PERFMON, BPF, CHECKPOINT_RESTORE/,
  );
  assert.equal(p.evidence[1], 'and: unmasked-proc, all-devices');
  // CDK's test (CapEff == 0x3fffffffff) misses it: docker 20.10's ALL stops at bit 37, the kernel at 40.
  assert.is.not(v1Facts('near-privileged').status.capEff, '3fffffffff');
  // Without the walls it is no longer "privileged": the same capabilities in a masked, device-limited container.
  const masked = v1Facts('near-privileged', {
    mounts: parseMountinfo(read('sane/mountinfo')),
    devices: { version: 1, file: 'devices.list', list: read('sane/devices.list') },
  });
  assert.not.ok(ids(evaluateAudit(masked)).includes('privileged'));
  // On a kernel whose last capability is 37 the same set is every capability but one.
  const old = evaluateAudit(v1Facts('near-privileged', { capLastCap: 37 }));
  assert.match(old.findings.find((f) => f.id === 'privileged')!.evidence[0]!, /37 of the 38 capabilities/);
});

test('v1 socket, host /etc, host pid and net: runtime-socket, sensitive-host-mount, host namespaces; /sys of the host netns is no host mount', () => {
  const r = evaluateAudit(v1Facts('socket-etc'));
  assert.is(sev(r, 'runtime-socket'), 'critical');
  assert.equal(r.findings.find((f) => f.id === 'runtime-socket')!.evidence, [
    "/proc/4242/mountinfo: /var/run/docker.sock in the container is the host's /run/docker.sock",
  ]);
  const s = r.findings.find((f) => f.id === 'sensitive-host-mount')!;
  assert.is(s.severity, 'high');
  assert.equal(s.evidence.length, 1, s.evidence.join('\n'));
  assert.match(s.evidence[0]!, /\/hostetc is the host's \/etc \(ro, ext4 254:0 root \/etc\)/);
  assert.equal(r.findings.filter((f) => f.id === 'host-namespace' && f.severity === 'high').length, 2);
  for (const id of ['no-memory-limit', 'no-pids-limit', 'no-cpu-limit']) assert.ok(ids(r).includes(id), id);
  assert.not.ok(ids(r).includes('writable-sys'));
});

test("runtime baselines: podman's set makes MKNOD an addition, docker's does not; unknown runtimes use docker's", () => {
  const facts = v1Facts('sane');
  assert.not.ok(ids(evaluateAudit(facts)).includes('added-capabilities'));
  const podman = evaluateAudit({ ...facts, runtime: 'podman' });
  assert.match(podman.findings.find((f) => f.id === 'added-capabilities')!.title, /podman's default set: NET_RAW, MKNOD, AUDIT_WRITE$/);
  assert.match(
    evaluateAudit({ ...facts, runtime: 'cri-o' }).findings.find((f) => f.id === 'added-capabilities')!.title,
    /cri-o's default set: NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP$/,
  );
  const { runtime: _, ...unknown } = facts;
  assert.not.ok(ids(evaluateAudit(unknown)).includes('added-capabilities'));
});

test('LSM: unconfined under AppArmor is medium, a profile in enforce mode is none, complain mode counts as unconfined', () => {
  const lsm = (label: string | null) =>
    evaluateAudit(
      v1Facts('sane', {
        lsm: { host: ['apparmor'], hostFrom: '/sys/kernel/security/lsm', label, labelFile: '/proc/4242/attr/apparmor/current' },
      }),
    );
  assert.is(sev(lsm('unconfined'), 'lsm-unconfined'), 'medium');
  assert.is(sev(lsm('docker-default (enforce)'), 'lsm-unconfined'), undefined);
  assert.is(sev(lsm('docker-default (complain)'), 'lsm-unconfined'), 'medium');
  const se = evaluateAudit(
    v1Facts('sane', {
      lsm: {
        host: ['selinux'],
        hostFrom: '/sys/kernel/security/lsm',
        label: 'system_u:system_r:spc_t:s0',
        labelFile: '/proc/4242/attr/current',
      },
    }),
  );
  assert.is(sev(se, 'lsm-unconfined'), 'medium');
});

test('shared propagation and writable sysfs and cgroup v1 mounts', () => {
  const facts = v1Facts('sane');
  const hostShared = facts.hostMounts.find((m) => m.optionalFields.some((f) => f.startsWith('shared:')))!;
  const group = hostShared.optionalFields.find((f) => f.startsWith('shared:'))!;
  const extra = parseMountinfo(
    `900 278 254:0 /srv /data rw,relatime ${group} - ext4 /dev/vda rw\n901 278 0:99 / /sys rw,nosuid - sysfs sysfs rw\n902 278 0:29 / /cg rw - cgroup cgroup rw,cpu\n`,
  );
  const r = evaluateAudit({ ...facts, mounts: [...facts.mounts, ...extra] });
  assert.is(sev(r, 'shared-propagation'), 'medium');
  assert.is(sev(r, 'writable-sys'), 'high');
  assert.equal(r.findings.find((f) => f.id === 'writable-sys')!.evidence.length, 2);
});

test('v2 tree through the reader: limits from memory.max, cpu.max, pids.max; devices honestly unknown; the root cgroup is unlimited', () => {
  const o = {
    procRoot: new URL('./fixtures/audit/v2/proc', import.meta.url).pathname,
    sysRoot: new URL('./fixtures/audit/v2/sys', import.meta.url).pathname,
  };
  const inTest = readContainerFacts(4242, 'docker', o);
  assert.equal(inTest.devices, { version: 2 });
  assert.is(inTest.limits.memory?.limit, 64 * 1024 * 1024);
  assert.match(inTest.limits.memory!.file, /test\/memory\.max$/);
  assert.is(inTest.limits.cpu?.value, '50000 100000');
  assert.is(inTest.limits.pids?.limit, 100);
  const r = evaluateAudit(inTest);
  assert.equal(
    r.unknown.map((u) => u.id),
    ['all-devices'],
  );
  assert.match(r.unknown[0]!.reason, /BPF/);
  assert.not.ok(ids(r).some((id) => id.startsWith('no-') && id.endsWith('-limit')));
  assert.not.ok(
    r.findings.some((f) => f.id === 'host-namespace' && f.title.includes('cgroup namespace')),
    'private cgroup namespace on v2',
  );
  const atRoot = evaluateAudit(readContainerFacts(4243, 'docker', o));
  assert.equal(
    ids(atRoot).filter((id) => id.endsWith('-limit')),
    ['no-memory-limit', 'no-pids-limit', 'no-cpu-limit'],
  );
  assert.match(atRoot.findings.find((f) => f.id === 'no-memory-limit')!.evidence[0]!, /memory\.max: \(the root cgroup: no limit file\)$/);
});

const noHost: HostFacts = {
  cpuFlags: ['fpu', 'hypervisor'],
  devices: [],
  powerSvm: null,
  s390ProtVirtGuest: null,
  armCcaDevice: false,
  kernelLog: [],
  kvm: { tdx: null, sev: null, sevEs: null, sevSnp: null },
  lockdown: null,
  ptraceScope: null,
  userns: { max: '96364', clone: null, apparmorRestrict: null },
  hostPidContainers: [],
};

test('host: confidential-computing kinds from each signal, and SEV flags on a bare-metal AMD host are not a guest', () => {
  const kind = (over: Partial<HostFacts>) => evaluateHost({ ...noHost, ...over }).confidential;
  assert.is(kind({}).kind, 'none');
  assert.is(kind({ cpuFlags: ['tdx_guest', 'hypervisor'] }).kind, 'tdx');
  assert.is(kind({ devices: ['/dev/tdx_guest'] }).kind, 'tdx');
  assert.is(kind({ devices: ['/dev/sev-guest'] }).kind, 'sev-snp');
  assert.is(kind({ cpuFlags: ['sev', 'sev_es', 'sev_snp'] }).kind, 'none', 'an AMD host lists what its CPU can do');
  assert.is(kind({ cpuFlags: ['sev', 'sev_es', 'hypervisor'] }).kind, 'sev-es');
  assert.is(kind({ cpuFlags: ['sev', 'hypervisor'] }).kind, 'sev');
  assert.is(kind({ kernelLog: ['Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP'] }).kind, 'sev-snp');
  assert.is(kind({ kernelLog: ['Memory Encryption Features active: Intel TDX'] }).kind, 'tdx');
  assert.is(kind({ powerSvm: '1' }).kind, 'pef');
  assert.is(kind({ powerSvm: '0' }).kind, 'none');
  assert.is(kind({ s390ProtVirtGuest: '1' }).kind, 's390-pv');
  assert.is(kind({ armCcaDevice: true }).kind, 'cca');
  assert.equal(kind({ devices: ['/dev/sev-guest'] }).evidence, ['/dev/sev-guest exists (SEV-SNP guest driver)']);
  assert.match(kind({ kernelLog: null }).bestEffort[0]!, /not readable/);
});

test('host: KVM TDX/SEV parameters, lockdown, Yama, user namespaces, host-pid containers', () => {
  const h = evaluateHost({
    ...noHost,
    kvm: { tdx: null, sev: 'Y', sevEs: 'N', sevSnp: '1' },
    lockdown: 'none [integrity] confidentiality',
    ptraceScope: '1',
    userns: { max: '63000', clone: '0', apparmorRestrict: null },
    hostPidContainers: [{ pid: 77, container: { id: 'a'.repeat(64), runtime: 'docker' } }],
  });
  assert.equal({ ...h.kvm, evidence: h.kvm.evidence.length }, { tdx: null, sev: true, sevEs: false, sevSnp: true, evidence: 3 });
  assert.is(h.lockdown, 'integrity');
  assert.is(h.ptraceScope, 1);
  assert.is(h.unprivilegedUserns.allowed, false);
  assert.equal(
    h.findings.map((f) => `${f.id} ${f.severity}`),
    ['host-pid-containers high'],
  );
  const open = evaluateHost({ ...noHost, lockdown: '[none] integrity confidentiality', ptraceScope: '0' });
  assert.equal(
    open.findings.map((f) => `${f.id} ${f.severity}`),
    ['unprivileged-userns low', 'ptrace-unrestricted low', 'lockdown-none info'],
  );
  assert.is(evaluateHost(noHost).lockdown, 'unknown');
});

test('parseProcStatus and capability bits: 64-bit masks exactly, malformed lines are ParseErrors', () => {
  const s = parseProcStatus(read('near-privileged/status'));
  assert.equal(s.uid, [0, 0, 0, 0]);
  assert.is(s.seccomp, 0);
  assert.is(s.noNewPrivs, false);
  assert.equal(capabilityBits('000001ffffffffff').length, 41);
  assert.equal(capabilityBits('8000000000000000'), [63]);
  assert.throws(() => parseProcStatus('Uid:\t0 0 0\n'), /Uid/);
  assert.throws(() => parseProcStatus(read('sane/status').replace(/CapBnd:.*/, 'CapBnd:\tzz')), /CapBnd/);
  assert.throws(() => parseProcStatus(read('sane/status').replace(/Seccomp:.*/, 'Seccomp:\t7')), /Seccomp/);
});

test('a hostile mount table: 20000 binds of the host /etc stay one collapsed line, and evidence is capped', () => {
  const facts = v1Facts('sane');
  const root = facts.mounts[0]!;
  const text = Array.from(
    { length: 20000 },
    (_, i) => `${1000 + i} ${root.mountId} 254:0 /etc /x/${i % 2 ? `d${i - 1}/sub` : `d${i}`} ro - ext4 /dev/vda rw`,
  ).join('\n');
  const flat = parseMountinfo(
    Array.from({ length: 100 }, (_, i) => `${50000 + i} ${root.mountId} 254:0 /etc /y${i} ro - ext4 /dev/vda rw`).join('\n'),
  );
  const r = evaluateAudit({ ...facts, mounts: [...facts.mounts, ...parseMountinfo(text), ...flat] });
  const s = r.findings.find((f) => f.id === 'sensitive-host-mount')!;
  assert.is(s.evidence.length, 21);
  assert.is(s.evidence[20], '... and 10080 more');
});

test('escapeText: control characters from the container never reach the terminal raw', () => {
  assert.is(escapeText('/a\x1b[31m\nb\\c\x9b'), '/a\\x1b[31m\\x0ab\\\\c\\x9b');
  assert.is(escapeText('/plain path'), '/plain path');
});

test.run();
