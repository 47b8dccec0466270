// nsjoin audit on a real, pure cgroup v2 kernel (`npm run test:kernel` runs every test/kernel-*
// file in its VM): the limits come from memory.max, cpu.max and pids.max of the process's cgroup and
// its ancestors, and the device rules, a BPF program on v2, are reported as unknown, never guessed.
// Elsewhere each test is a counted skip with the reason printed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { auditContainer, auditHost } from '../lib/index.js';
import { testIf } from './helpers/skip.js';

const rig = process.env.NSJOIN_KERNEL_CGROUP; // the VM init's cgroup with memory, cpu and pids limits
const why = rig && existsSync(`${rig}/cgroup.procs`) ? '' : 'not in the test:kernel VM (NSJOIN_KERNEL_CGROUP unset)';
const when = testIf; // a counted skip with its reason where it cannot run

/** A `sleep` moved into a new leaf below `parent`; killed and the leaf removed afterwards. */
async function sleeperIn(parent: string, fn: (pid: number) => void): Promise<void> {
  const dir = `${parent}/nsjoin-audit-${process.pid}`;
  mkdirSync(dir);
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  try {
    writeFileSync(`${dir}/cgroup.procs`, String(child.pid));
    fn(child.pid!);
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    for (let i = 0; i < 100 && readFileSync(`${dir}/cgroup.procs`, 'utf8').trim(); i++) await new Promise((r) => setTimeout(r, 20));
    rmdirSync(dir);
  }
}

test('environment', () => {
  console.log(`  ${why || `in the test:kernel VM, kernel ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}`}`);
});

when(why, 'v2: a process below the limited cgroup has its limits (from the ancestors); devices are unknown', async () => {
  await sleeperIn(rig!, (pid) => {
    const r = auditContainer(pid);
    const ids = r.findings.map((f) => f.id);
    for (const id of ['no-memory-limit', 'no-pids-limit', 'no-cpu-limit']) assert.not.ok(ids.includes(id), `${id}: ${ids.join(', ')}`);
    assert.equal(
      r.unknown.map((u) => u.id),
      ['all-devices'],
    );
    assert.match(r.unknown[0]!.reason, /BPF/);
    // A host process: it shares every namespace, the mount namespace first.
    assert.is(r.findings[0]!.id, 'host-namespace');
    assert.is(r.findings[0]!.severity, 'critical');
  });
});

when(
  why,
  'v2: a process in a cgroup without limits gets no-memory-limit, no-pids-limit, no-cpu-limit with the v2 files as evidence',
  async () => {
    await sleeperIn('/sys/fs/cgroup', (pid) => {
      const r = auditContainer(pid);
      const byId = Object.fromEntries(r.findings.map((f) => [f.id, f]));
      assert.match(byId['no-memory-limit']!.evidence[0]!, /\/memory\.max: max$/);
      assert.match(byId['no-pids-limit']!.evidence[0]!, /\/pids\.max: max$/);
      assert.match(byId['no-cpu-limit']!.evidence[0]!, /\/cpu\.max: max 100000$/);
    });
  },
);

when(why, 'v2: auditHost reads the VM (TCG: no confidential guest, no KVM modules)', () => {
  const h = auditHost();
  assert.is(h.confidential.kind, 'none');
  assert.equal([h.kvm.tdx, h.kvm.sev], [null, null]);
});

test.run();
