// nsjoin audit against real containers started with known settings: every finding is checked
// against the runtime's own record of the container (docker inspect), in both directions: a setting
// that weakens isolation gives its finding, and a finding has the setting behind it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { auditAll, auditContainer, auditHost, type AuditReport, type Finding } from '../../lib/index.js';
import { nsjoin } from '../helpers/cli.js';
import { docker, podman, startCtr, startDocker, startPodman, withRuntime, type RealContainer } from '../helpers/runtimes.js';

interface Inspect {
  Config: { User: string };
  HostConfig: {
    CapAdd: string[] | null;
    CapDrop: string[] | null;
    SecurityOpt: string[] | null;
    PidMode: string;
    NetworkMode: string;
    IpcMode: string;
    UTSMode: string;
    CgroupnsMode?: string;
    Memory: number;
    NanoCpus: number;
    CpuQuota: number;
    CpusetCpus: string;
    PidsLimit: number | null;
    DeviceCgroupRules: string[] | null;
    MaskedPaths: string[] | null;
  };
  Mounts: { Source: string; Destination: string; RW: boolean }[];
}
const inspect = (c: RealContainer): Inspect => JSON.parse(docker('inspect', c.id))[0] as Inspect;

const ids = (r: AuditReport): string[] => r.findings.map((f) => f.id);
const one = (r: AuditReport, id: string): Finding | undefined => r.findings.find((f) => f.id === id);
const shared = (r: AuditReport): string[] =>
  r.findings.filter((f) => f.id === 'host-namespace').map((f) => /host's (\w+) namespace/.exec(f.title)![1]!);
const DOCKER_DEFAULT = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
];

/** Every docker-visible setting and the finding it must (and only it may) give. */
function checkAgainstInspect(r: AuditReport, i: Inspect): void {
  const h = i.HostConfig;
  const opts = h.SecurityOpt ?? [];
  const has = (id: string, expected: boolean, why: string): void =>
    assert.is(ids(r).includes(id), expected, `${id}: ${why} (findings: ${ids(r).join(', ')})`);
  const added = (h.CapAdd ?? []).map((c) => c.replace(/^CAP_/, ''));
  has(
    'added-capabilities',
    added.some((c) => !DOCKER_DEFAULT.includes(c)),
    `CapAdd ${JSON.stringify(h.CapAdd)}`,
  );
  for (const c of added.filter((c) => c !== 'ALL' && !DOCKER_DEFAULT.includes(c)))
    assert.ok(one(r, 'added-capabilities')!.title.includes(c), `${c} named`);
  has('seccomp-disabled', opts.includes('seccomp=unconfined'), `SecurityOpt ${JSON.stringify(opts)}`);
  has('no-new-privileges-off', !opts.some((o) => /^no-new-privileges(:true|=true)?$/.test(o)), 'SecurityOpt no-new-privileges');
  has('unmasked-proc', h.MaskedPaths === null || h.MaskedPaths.length === 0, `MaskedPaths ${JSON.stringify(h.MaskedPaths)}`);
  has('all-devices', (h.DeviceCgroupRules ?? []).includes('a *:* rwm'), `DeviceCgroupRules ${JSON.stringify(h.DeviceCgroupRules)}`);
  has('root-user', ['', '0', 'root'].includes(i.Config.User), `Config.User '${i.Config.User}'`);
  has(
    'runtime-socket',
    i.Mounts.some((m) => /docker\.sock$/.test(m.Source)),
    'a docker.sock mount',
  );
  has(
    'sensitive-host-mount',
    i.Mounts.some((m) => ['/', '/etc', '/proc', '/sys', '/dev', '/boot', '/usr', '/lib'].includes(m.Source)),
    'a sensitive Source',
  );
  has('no-memory-limit', h.Memory === 0, `Memory ${h.Memory}`);
  has('no-pids-limit', !h.PidsLimit || h.PidsLimit < 0, `PidsLimit ${h.PidsLimit}`);
  has('no-cpu-limit', h.NanoCpus === 0 && h.CpuQuota === 0 && h.CpusetCpus === '', `NanoCpus ${h.NanoCpus}`);
  const modes: Record<string, string | undefined> = { pid: h.PidMode, net: h.NetworkMode, ipc: h.IpcMode, uts: h.UTSMode };
  for (const [type, mode] of Object.entries(modes))
    assert.is(shared(r).includes(type), mode === 'host', `${type} namespace: mode '${mode}'`);
  // docker 20.10 on cgroup v1 keeps containers in the host's cgroup namespace ("host" in inspect).
  if (h.CgroupnsMode !== undefined) assert.is(shared(r).includes('cgroup'), h.CgroupnsMode === 'host', `CgroupnsMode ${h.CgroupnsMode}`);
  for (const f of r.findings) {
    assert.ok(f.evidence.length > 0, `${f.id} has evidence`);
    for (const ref of f.refs) assert.match(ref, /^CIS-\d\.\d+$/);
  }
}

const worst = (r: AuditReport): string[] =>
  r.findings.filter((f) => f.severity === 'high' || f.severity === 'critical').map((f) => `${f.id} (${f.severity})`);
const LIMITS = ['--memory', '64m', '--cpus', '0.5', '--pids-limit', '100'];

withRuntime('docker', 'docker, sane with limits: no high or critical finding, and the CLI exits 0', async () => {
  const c = startDocker({ flags: LIMITS });
  try {
    const r = auditContainer({ pid: c.pid });
    assert.equal(worst(r), [], 'no false alarm');
    assert.is(r.target.container?.id, c.id);
    assert.is(r.target.container?.runtime, 'docker');
    checkAgainstInspect(r, inspect(c));
    assert.is(one(r, 'root-user')?.severity, 'medium');
    const cli = await nsjoin(['audit', c.id.slice(0, 12)]);
    assert.is(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /root-user/);
    const low = await nsjoin(['audit', String(c.pid), '--fail-on', 'low']);
    assert.is(low.status, 1, 'a low finding trips --fail-on low');
    const json = await nsjoin(['audit', String(c.pid), '--json']);
    const parsed = JSON.parse(json.stdout) as AuditReport;
    assert.is(parsed.target.pid, c.pid);
    assert.equal(
      parsed.findings.map((f) => f.id),
      ids(r),
    );
  } finally {
    c.remove();
  }
});

withRuntime(
  'docker',
  'docker, near-privileged (ALL but SYS_RESOURCE, seccomp and systempaths unconfined, a *:* rwm): privileged, critical',
  async () => {
    const c = startDocker({
      flags: [
        '--cap-add',
        'ALL',
        '--cap-drop',
        'SYS_RESOURCE',
        '--security-opt',
        'seccomp=unconfined',
        '--security-opt',
        'systempaths=unconfined',
        '--device-cgroup-rule',
        'a *:* rwm',
        ...LIMITS,
      ],
    });
    try {
      const r = auditContainer({ pid: c.pid });
      checkAgainstInspect(r, inspect(c));
      const p = one(r, 'privileged');
      assert.ok(p, `privileged found (${ids(r).join(', ')})`);
      assert.is(p!.severity, 'critical');
      assert.match(p!.evidence.join('\n'), /cap_last_cap \d+/);
      assert.match(p!.evidence.join('\n'), /SYS_RESOURCE/);
      assert.is(one(r, 'all-devices')?.severity, 'critical', 'a *:* rwm with MKNOD');
      assert.is(one(r, 'unmasked-proc')?.severity, 'high', '/proc/sys writable');
      assert.match(one(r, 'unmasked-proc')!.title, /\/proc\/sys/);
      assert.is(r.findings[0]!.severity, 'critical');
      const cli = await nsjoin(['audit', c.id.slice(0, 12), '--fail-on', 'critical']);
      assert.is(cli.status, 1, cli.stdout + cli.stderr);
    } finally {
      c.remove();
    }
  },
);

withRuntime('docker', '--cap-add SYS_ADMIN, seccomp=unconfined: added SYS_ADMIN (high) and seccomp-disabled, not privileged', () => {
  const c = startDocker({ flags: ['--cap-add', 'SYS_ADMIN', '--security-opt', 'seccomp=unconfined', ...LIMITS] });
  try {
    const r = auditContainer({ pid: c.pid });
    checkAgainstInspect(r, inspect(c));
    assert.is(one(r, 'added-capabilities')?.severity, 'high');
    assert.match(one(r, 'added-capabilities')!.title, /: SYS_ADMIN$/);
    assert.is(one(r, 'seccomp-disabled')?.severity, 'medium');
    assert.not.ok(one(r, 'privileged'));
  } finally {
    c.remove();
  }
});

withRuntime('docker', '--pid host --net host without limits: host pid and net (high), every no-*-limit, and --host lists it', async () => {
  const c = startDocker({ flags: ['--pid', 'host', '--net', 'host'] });
  try {
    const r = auditContainer({ pid: c.pid });
    checkAgainstInspect(r, inspect(c));
    for (const t of ['pid', 'net'])
      assert.is(r.findings.find((f) => f.id === 'host-namespace' && f.title.includes(`${t} namespace`))?.severity, 'high');
    for (const id of ['no-memory-limit', 'no-pids-limit', 'no-cpu-limit']) assert.ok(one(r, id), id);
    assert.not.ok(one(r, 'sensitive-host-mount'), 'the sysfs of the host netns mounted by docker at /sys is not a host mount');
    const host = auditHost();
    assert.ok(
      host.hostPidContainers.some((t) => t.pid === c.pid),
      'host-pid container listed',
    );
    assert.is(host.findings.find((f) => f.id === 'host-pid-containers')?.severity, 'high');
    const cli = await nsjoin(['audit', '--host', '--json']);
    assert.is(cli.status, 1, 'a high host finding');
    const parsed = JSON.parse(cli.stdout) as { confidential: { kind: string }; hostPidContainers: { pid: number }[] };
    assert.is(parsed.confidential.kind, 'none', 'this VM is no confidential guest');
    assert.ok(parsed.hostPidContainers.some((t) => t.pid === c.pid));
  } finally {
    c.remove();
  }
});

withRuntime(
  'docker',
  '-v docker.sock and a host /etc whose mount point holds an escape sequence: runtime-socket, sensitive-host-mount; the CLI escapes it',
  async () => {
    const evil = '/e\x1b[31mred\u009b';
    const c = startDocker({ flags: ['-v', '/var/run/docker.sock:/var/run/docker.sock', '-v', `/etc:${evil}:ro`, ...LIMITS] });
    try {
      const r = auditContainer({ pid: c.pid });
      checkAgainstInspect(r, inspect(c));
      const sock = one(r, 'runtime-socket');
      assert.is(sock?.severity, 'critical');
      assert.match(sock!.evidence.join('\n'), /\/var\/run\/docker\.sock in the container is the host's \/run\/docker\.sock/);
      assert.equal(sock!.refs, ['CIS-5.32']);
      const etc = one(r, 'sensitive-host-mount');
      assert.is(etc?.severity, 'high', 'host /etc read-only');
      assert.ok(
        etc!.evidence.some((e) => e.includes(evil)),
        'the library keeps the path as read',
      );
      const cli = await nsjoin(['audit', String(c.pid)]);
      assert.is(cli.status, 1);
      assert.not.ok(cli.stdout.includes('\x1b'), 'no raw escape on the terminal');
      assert.ok(cli.stdout.includes('/e\\x1b[31mred\\x9b'), 'shown escaped');
      const json = await nsjoin(['audit', String(c.pid), '--json']);
      assert.not.ok(/[\x1b\u009b]/.test(json.stdout), 'no raw control character in the JSON either');
      assert.ok(
        (JSON.parse(json.stdout) as AuditReport).findings.some((f) => f.evidence.some((e) => e.includes(evil))),
        'the same value after parsing',
      );
    } finally {
      c.remove();
    }
  },
);

withRuntime('podman', "podman: compared with podman's own default set (MKNOD is an addition there, not for docker)", () => {
  const sane = startPodman({ flags: LIMITS });
  const mknod = startPodman({ flags: ['--cap-add', 'MKNOD', ...LIMITS] });
  try {
    const r = auditContainer({ pid: sane.pid });
    assert.is(r.target.container?.runtime, 'podman');
    assert.equal(worst(r), []);
    assert.not.ok(one(r, 'added-capabilities'), "podman's 11 defaults are no addition");
    const caps = JSON.parse(podman('inspect', '-f', '{{json .EffectiveCaps}}', sane.name)) as string[];
    assert.is(caps.length, 11, `podman's default set: ${caps.join(' ')}`);
    const m = auditContainer({ pid: mknod.pid });
    assert.match(one(m, 'added-capabilities')?.title ?? '', /podman's default set: MKNOD$/);
    assert.is(one(m, 'added-capabilities')?.severity, 'low');
  } finally {
    sane.remove();
    mknod.remove();
  }
});

withRuntime('ctr', "containerd (ctr): docker's 14 as the baseline, ctr sets no seccomp filter and sets no_new_privs", () => {
  const c = startCtr();
  try {
    const r = auditContainer({ pid: c.pid });
    // ctr's cgroup (/k8s.io/NAME) is not one listContainers names yet: without a runtime the pid is
    // compared with docker's set, which is containerd's as well.
    if (r.target.container) assert.is(r.target.container.runtime, 'containerd');
    assert.not.ok(one(r, 'added-capabilities'));
    assert.ok(one(r, 'seccomp-disabled'), 'ctr run without --seccomp has none');
    assert.not.ok(one(r, 'no-new-privileges-off'));
  } finally {
    c.remove();
  }
});

withRuntime('docker', '--all audits every container, and errors exit 2', async () => {
  const c = startDocker({ flags: LIMITS });
  try {
    assert.ok(auditAll().some((r) => r.target.pid === c.pid));
    const all = await nsjoin(['audit', '--all', '--json']);
    assert.ok((JSON.parse(all.stdout) as AuditReport[]).some((r) => r.target.container?.id === c.id));
    for (const args of [
      ['audit'],
      ['audit', '--fail-on', 'bad', '1'],
      ['audit', '4194303'],
      ['audit', '--all', '--host'],
      ['audit', 'nosuchcontainer'],
    ]) {
      const bad = await nsjoin(args);
      assert.is(bad.status, 2, `${args.join(' ')}: ${bad.stderr}`);
      assert.match(bad.stderr, /^nsjoin: /);
    }
  } finally {
    c.remove();
  }
});

test.run();
