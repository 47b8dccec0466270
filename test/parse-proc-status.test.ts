// /proc/PID/status credential lines (captured on this machine: test/fixtures/proc-status), the LSM
// exec label built from a target's label, and which variables a host binary never takes.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execLabel } from '../lib/credentials.js';
import { isLoaderVariable } from '../lib/environment.js';
import { ParseError } from '../lib/errors.js';
import { parseProcStatus } from '../lib/parse/proc-status.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/proc-status/${name}`, import.meta.url), 'utf8');

test("docker's default container: a80425fb in permitted, effective and bounding; seccomp filter", () => {
  const s = parseProcStatus(fixture('docker-default-pid1'));
  assert.equal(
    [s.capInh, s.capPrm, s.capEff, s.capBnd, s.capAmb],
    ['0000000000000000', '00000000a80425fb', '00000000a80425fb', '00000000a80425fb', '0000000000000000'],
  );
  assert.is(s.noNewPrivs, false);
  assert.is(s.seccomp, 2);
  assert.equal(s.uid, [0, 0, 0, 0]);
});

test('no-new-privileges, one capability in bounding, uid 1000', () => {
  const s = parseProcStatus(fixture('docker-nnp-user1000'));
  assert.is(s.capBnd, '0000000000001000');
  assert.is(s.capEff, '0000000000000000');
  assert.is(s.noNewPrivs, true);
  assert.equal(s.uid, [1000, 1000, 1000, 1000]);
  assert.equal(s.gid, [1000, 1000, 1000, 1000]);
});

test("the host's init (41 capabilities) and an ambient set", () => {
  assert.is(parseProcStatus(fixture('host-init')).capPrm, '000001ffffffffff');
  const a = parseProcStatus(fixture('host-ambient'));
  assert.is(BigInt(`0x${a.capAmb}`), 1n << 13n, 'CAP_NET_RAW');
  assert.is(BigInt(`0x${a.capInh}`), (1n << 12n) | (1n << 13n));
  assert.equal(a.groups, []);
});

test('malformed or missing credential lines are ParseErrors, never a guess', () => {
  const good = fixture('docker-default-pid1');
  for (const bad of [
    good.replace(/^CapEff:.*$/m, 'CapEff:\tzz'),
    good.replace(/^CapBnd:.*\n/m, ''),
    good.replace(/^CapInh:.*\n/m, ''),
    good.replace(/^Groups:.*$/m, 'Groups:\t1 x'),
    good.replace(/^NoNewPrivs:.*$/m, 'NoNewPrivs:\t7'),
    good.replace(/^Uid:.*$/m, 'Uid:\t0\t0'),
    '',
  ])
    assert.throws(
      () => parseProcStatus(bad),
      (e: unknown) => e instanceof ParseError,
    );
  // An old kernel without CapAmb: ambient is empty.
  assert.is(parseProcStatus(good.replace(/^CapAmb:.*\n/m, '')).capAmb, '0');
});

test('LSM exec labels: AppArmor profile without its mode, nothing for unconfined; SELinux context as is', () => {
  assert.equal(execLabel('apparmor', 'docker-default (enforce)\n', false), { attr: 'attr/exec', value: 'exec docker-default' });
  assert.equal(execLabel('apparmor', 'cri-containerd.apparmor.d (enforce)\n', true), {
    attr: 'attr/apparmor/exec',
    value: 'exec cri-containerd.apparmor.d',
  });
  assert.is(execLabel('apparmor', 'unconfined\n', true), null);
  assert.equal(execLabel('selinux', 'system_u:system_r:container_t:s0:c1,c2\0', false), {
    attr: 'attr/exec',
    value: 'system_u:system_r:container_t:s0:c1,c2',
  });
  assert.is(execLabel('selinux', 'a\nexec b', false), null, 'a newline inside is not a label');
  assert.is(execLabel('selinux', '', false), null);
});

test('variables a host binary never takes from a container', () => {
  for (const name of [
    'LD_PRELOAD',
    'LD_LIBRARY_PATH',
    'LD_AUDIT',
    'PATH',
    'BASH_ENV',
    'ENV',
    'GCONV_PATH',
    'PYTHONPATH',
    'NODE_OPTIONS',
    'BASH_FUNC_x%%',
    'GLIBC_TUNABLES',
  ]) {
    assert.ok(isLoaderVariable(name), name);
  }
  for (const name of ['HOME', 'HOSTNAME', 'TERM', 'LANG', 'MY_LD_THING']) assert.not.ok(isLoaderVariable(name), name);
});

test.run();
