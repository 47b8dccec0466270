// Real traffic in namespaces the test makes: a target with its loopback up and a veth to a second
// target. Nothing is created in, or sent through, our own network namespace.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NsError } from '../lib/errors.js';
import { readNetDev, type NetDevSample } from '../lib/net/netdev.js';
import { netRates } from '../lib/net/rates.js';
import { figuresFromGrep, readCheckedSysfs, readInterfaceStats, sysfsGrepArgs } from '../lib/net/sysfs.js';
import { deleteVeth, loopbackUp, makeVeth, sendUdp, uniq, type Veth } from './helpers/net.js';
import { startTarget, type Target } from './helpers/target.js';

const COUNT = 200;
const SIZE = 1000;
const LO_BYTES = COUNT * (SIZE + 28); // loopback counts the IP packet: no Ethernet header on lo's counters
const VETH_BYTES = COUNT * (SIZE + 42); // veth counts the 14-byte Ethernet header too
const SLACK = 300; // an ARP request/reply (42 bytes each) and the like

function dev(s: NetDevSample, name: string) {
  const d = s.devices.find((x) => x.name === name);
  if (!d) throw new Error(`no ${name} in sample of pid ${s.pid}: ${s.devices.map((x) => x.name).join(', ')}`);
  return d;
}
function near(actual: number, expected: number, slack: number, what: string): void {
  assert.ok(actual >= expected && actual <= expected + slack, `${what}: ${actual} not within [${expected}, ${expected + slack}]`);
}

/** A target with its own sysfs mounted (like a container), a bare peer, and a veth between them. */
async function setup(): Promise<{ t: Target; p: Target; v: Veth; cleanup(): void }> {
  const made: Target[] = [];
  const u = uniq();
  let v: Veth | undefined;
  const cleanup = () => {
    if (v) deleteVeth(v.a.pid, v.a.name);
    for (const x of made) x.kill();
  };
  try {
    const t = await startTarget({ ns: ['net', 'mnt'], setup: 'mount -t sysfs nsjsys /sys' });
    made.push(t);
    const p = await startTarget({ ns: ['net'] });
    made.push(p);
    loopbackUp(t.pid);
    v = makeVeth(t.pid, `nsja${u}`, p.pid, `nsjb${u}`, (process.pid % 200) + 1);
    return { t, p, v, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

test('traffic over the target loopback and veth shows in readNetDev(target) and readInterfaceStats, not in ours', async () => {
  const { t, p, v, cleanup } = await setup();
  try {
    await sendUdp(t.pid, p.pid, v.b.addr, 4100, 1, SIZE); // resolves ARP before the first sample
    const before = readNetDev(t.pid, { ifindex: true });
    const peerBefore = readNetDev(p.pid, { ifindex: true });
    const sysBefore = await readInterfaceStats(t.pid, v.a.name);
    assert.is(sysBefore.source, 'target-sysfs');

    const lo = await sendUdp(t.pid, t.pid, '127.0.0.1', 4101, COUNT, SIZE);
    const out = await sendUdp(t.pid, p.pid, v.b.addr, 4102, COUNT, SIZE);
    assert.equal([lo.packets, out.packets], [COUNT, COUNT]);

    const after = readNetDev(t.pid, { ifindex: true });
    const peerAfter = readNetDev(p.pid, { ifindex: true });
    const sysAfter = await readInterfaceStats(t.pid, v.a.name);
    const loStats = await readInterfaceStats(t.pid, 'lo');

    near(dev(after, 'lo').rx.bytes - dev(before, 'lo').rx.bytes, LO_BYTES, SLACK, 'target lo rx bytes');
    near(dev(after, 'lo').tx.bytes - dev(before, 'lo').tx.bytes, LO_BYTES, SLACK, 'target lo tx bytes');
    near(dev(after, 'lo').rx.packets - dev(before, 'lo').rx.packets, COUNT, 3, 'target lo rx packets');
    near(dev(after, v.a.name).tx.bytes - dev(before, v.a.name).tx.bytes, VETH_BYTES, SLACK, 'target veth tx bytes');
    near(dev(after, v.a.name).tx.packets - dev(before, v.a.name).tx.packets, COUNT, 3, 'target veth tx packets');
    near(dev(after, v.a.name).rx.bytes - dev(before, v.a.name).rx.bytes, 0, SLACK, 'target veth rx bytes');
    near(dev(peerAfter, v.b.name).rx.bytes - dev(peerBefore, v.b.name).rx.bytes, VETH_BYTES, SLACK, 'peer veth rx bytes');
    assert.not.ok(
      after.devices.some((d) => d.name === v.b.name),
      'the peer end is not in the target namespace',
    );

    near(sysAfter.statistics.tx_bytes! - sysBefore.statistics.tx_bytes!, VETH_BYTES, SLACK, 'sysfs tx_bytes');
    near(sysAfter.statistics.tx_packets! - sysBefore.statistics.tx_packets!, COUNT, 3, 'sysfs tx_packets');
    assert.is(sysAfter.statistics.tx_bytes, dev(after, v.a.name).tx.bytes, 'sysfs and /proc/PID/net/dev agree when idle');
    assert.ok(loStats.statistics.rx_bytes! >= LO_BYTES);
    assert.is(Object.keys(sysAfter.statistics).length, 24, Object.keys(sysAfter.statistics).join(' '));
    assert.ok('rx_nohandler' in sysAfter.statistics && 'rx_crc_errors' in sysAfter.statistics);
    assert.is(sysAfter.ifindex, dev(after, v.a.name).ifindex);
    assert.is(sysAfter.mtu, 1500);
    assert.is(sysAfter.operstate, 'up');
    assert.match(sysAfter.address, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    assert.is(sysAfter.speed, 10000); // veth reports 10 Gbit/s
    assert.is(loStats.ifindex, 1);
    assert.is(loStats.speed, undefined);

    const r = netRates(before, after);
    const veth = r.interfaces.find((i) => i.name === v.a.name)!;
    assert.is(veth.reset, false);
    near(Math.round(veth.tx.bytes * r.seconds), VETH_BYTES, SLACK, 'rate x seconds');
    near(Math.round(r.total.tx.bytes * r.seconds), VETH_BYTES, SLACK, 'total without loopback');
    near(
      Math.round(netRates(before, after, { includeLoopback: true }).total.tx.bytes * r.seconds),
      VETH_BYTES + LO_BYTES,
      2 * SLACK,
      'total with loopback',
    );

    // Our own namespace has neither end, and never saw the veth.
    const ours = readNetDev();
    assert.is(ours.pid, process.pid);
    assert.not.equal(ours.netns, after.netns);
    assert.not.ok(ours.devices.some((d) => d.name === v.a.name || d.name === v.b.name));
    assert.not.ok(existsSync(`/sys/class/net/${v.a.name}`) || existsSync(`/sys/class/net/${v.b.name}`));
    try {
      await readInterfaceStats(process.pid, v.a.name);
      assert.unreachable('our namespace has no such interface');
    } catch (err) {
      assert.instance(err, NsError);
      assert.is((err as NsError).code, 'ENOENT');
    }
  } finally {
    cleanup();
  }
});

test('a sysfs is used only for the network namespace it shows', async () => {
  const own = await startTarget({ ns: ['net', 'mnt'], setup: 'mount -t sysfs nsjsys /sys' });
  const stale = await startTarget({ ns: ['net', 'mnt'] }); // its /sys is still the host's sysfs
  try {
    const check = (pid: number, root: string, rel = 'sys') => readCheckedSysfs(root, rel, 'lo', '/proc', pid) !== undefined;
    loopbackUp(own.pid);
    await sendUdp(own.pid, own.pid, '127.0.0.1', 4150, 3, 100); // so that the two fresh `lo` differ in their counters
    assert.ok(check(own.pid, `/proc/${own.pid}/root`));
    assert.not.ok(check(stale.pid, `/proc/${stale.pid}/root`));
    assert.not.ok(check(own.pid, '/sys', '.'));
    assert.ok(check(process.pid, '/sys', '.'));
    assert.not.ok(check(own.pid, '/proc/self', 'net'), 'not a sysfs');
    // Both namespaces have just `lo` with ifindex 1: the counters tell them apart.
    assert.not.ok(check(stale.pid, `/proc/${own.pid}/root`), 'same names and ifindex, another namespace');
    assert.not.ok(check(own.pid, `/proc/${stale.pid}/root`));
    assert.is((await readInterfaceStats(own.pid, 'lo')).source, 'target-sysfs');
    assert.is((await readInterfaceStats(process.pid, 'lo')).source, 'target-sysfs');
  } finally {
    own.kill();
    stale.kill();
  }
});

test('under traffic the checked sysfs is still used, and agrees with /proc/PID/net/dev', async () => {
  const { t, p, v, cleanup } = await setup();
  try {
    const sending = sendUdp(t.pid, p.pid, v.b.addr, 4250, 3000, SIZE);
    let reads = 0;
    let last = 0;
    for (let busy = true; busy;) {
      const before = dev(readNetDev(t.pid), v.a.name).tx.bytes;
      const s = await readInterfaceStats(t.pid, v.a.name);
      const after = dev(readNetDev(t.pid), v.a.name).tx.bytes;
      assert.is(s.source, 'target-sysfs');
      assert.ok(before <= s.statistics.tx_bytes! && s.statistics.tx_bytes! <= after && s.statistics.tx_bytes! >= last);
      last = s.statistics.tx_bytes!;
      reads += 1;
      busy = await Promise.race([sending.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 5))]);
    }
    assert.ok(reads >= 5, `only ${reads} reads during the traffic`);
    assert.ok(last > 0);
  } finally {
    cleanup();
  }
});

test('a target in our network namespace without a /sys of its own is read from our sysfs', async () => {
  const t = await startTarget({ ns: ['mnt'], setup: 'umount -l /sys' });
  try {
    assert.not.ok(existsSync(`/proc/${t.pid}/root/sys/class/net`));
    const s = await readInterfaceStats(t.pid, 'lo');
    assert.is(s.source, 'our-sysfs');
    assert.is(s.ifindex, 1);
  } finally {
    t.kill();
  }
});

test('deleting and recreating the veth between two samples is a reset, never a negative rate', async () => {
  const { t, p, v, cleanup } = await setup();
  let v2: Veth | undefined;
  try {
    await sendUdp(t.pid, p.pid, v.b.addr, 4200, COUNT, SIZE);
    const first = readNetDev(t.pid, { ifindex: true });
    const firstIndex = dev(first, v.a.name).ifindex;
    assert.type(firstIndex, 'number');

    // Recreated with less traffic: the counters went down.
    deleteVeth(t.pid, v.a.name);
    v2 = makeVeth(t.pid, v.a.name, p.pid, v.b.name, (process.pid % 200) + 1);
    await sendUdp(t.pid, p.pid, v.b.addr, 4201, 10, SIZE);
    const second = readNetDev(t.pid, { ifindex: true });
    const r = netRates(first, second);
    const i = r.interfaces.find((x) => x.name === v.a.name)!;
    assert.is(i.reset, true);
    assert.ok(i.ifindex !== undefined && i.ifindex !== firstIndex, `ifindex ${firstIndex} -> ${i.ifindex}`);
    for (const x of r.interfaces)
      for (const val of [...Object.values(x.rx), ...Object.values(x.tx)]) assert.ok(val >= 0, `${x.name}: ${val}`);
    near(Math.round(i.tx.bytes * r.seconds), dev(second, v.a.name).tx.bytes, 0, 'counted from zero');
    assert.is(r.interfaces.find((x) => x.name === 'lo')!.reset, false);

    // Recreated with MORE traffic than before: only the new ifindex shows the reset.
    deleteVeth(t.pid, v.a.name);
    v2 = makeVeth(t.pid, v.a.name, p.pid, v.b.name, (process.pid % 200) + 1);
    await sendUdp(t.pid, p.pid, v.b.addr, 4202, COUNT * 2, SIZE);
    const third = readNetDev(t.pid, { ifindex: true });
    assert.ok(dev(third, v.a.name).tx.bytes > dev(second, v.a.name).tx.bytes);
    const r2 = netRates(second, third);
    const j = r2.interfaces.find((x) => x.name === v.a.name)!;
    assert.is(j.reset, true);
    near(Math.round(j.tx.bytes * r2.seconds), dev(third, v.a.name).tx.bytes, 0, 'counted from zero, not from the old interface');
  } finally {
    if (v2) deleteVeth(v2.a.pid, v2.a.name);
    cleanup();
  }
});

test('readInterfaceStats joins the namespace when the target has no sysfs of its own', async () => {
  const { t, p, v, cleanup } = await setup();
  try {
    await sendUdp(t.pid, p.pid, v.b.addr, 4300, COUNT, SIZE);
    const proc = readNetDev(p.pid, { ifindex: true });
    const s = await readInterfaceStats(p.pid, v.b.name); // p shares the host's mounts: its /sys is the host's
    assert.is(s.source, 'joined');
    assert.is(s.statistics.rx_bytes, dev(proc, v.b.name).rx.bytes);
    near(s.statistics.rx_bytes!, VETH_BYTES, SLACK, 'joined rx_bytes');
    assert.is(Object.keys(s.statistics).length, 24);
    assert.is(s.ifindex, dev(proc, v.b.name).ifindex);
    assert.is(s.speed, 10000);
    assert.is(s.operstate, 'up');
    const lo = await readInterfaceStats(p.pid, 'lo'); // down, no speed: grep exits 2 for that file alone
    assert.equal([lo.source, lo.ifindex, lo.operstate, lo.speed, lo.statistics.rx_bytes], ['joined', 1, 'down', undefined, 0]);
    try {
      await readInterfaceStats(p.pid, 'nsjnone');
      assert.unreachable();
    } catch (err) {
      assert.is((err as NsError).code, 'ENOENT');
    }
  } finally {
    cleanup();
  }
});

test('what the joined helper prints, made here with nsenter + unshare + a fresh sysfs, parses to the namespace figures', async () => {
  const { t, p, v, cleanup } = await setup();
  try {
    await sendUdp(t.pid, p.pid, v.b.addr, 4400, COUNT, SIZE);
    const inside = (name: string) =>
      spawnSync(
        'nsenter',
        [
          '-t',
          String(p.pid),
          '-n',
          '--',
          'unshare',
          '-m',
          '--propagation',
          'private',
          '--',
          'sh',
          '-c',
          'mount -t sysfs nsjsys /sys && exec "$0" "$@"',
          '/usr/bin/grep',
          ...sysfsGrepArgs(name),
        ],
        { encoding: 'utf8', timeout: 10_000 },
      );
    const out = inside(v.b.name);
    assert.is(out.status, 0, out.stderr);
    const proc = dev(readNetDev(p.pid, { ifindex: true }), v.b.name);
    const f = figuresFromGrep(out.stdout, v.b.name, 1)!;
    assert.ok(f, out.stdout);
    assert.is(f.statistics.rx_bytes, proc.rx.bytes);
    assert.is(f.statistics.rx_packets, proc.rx.packets);
    near(f.statistics.rx_bytes!, VETH_BYTES, SLACK, 'rx_bytes');
    assert.is(Object.keys(f.statistics).length, 24);
    assert.is(f.ifindex, proc.ifindex);
    assert.equal([f.mtu, f.operstate, f.speed, f.time], [1500, 'up', 10000, 1]);
    assert.match(f.address, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    const lo = inside('lo'); // lo has no speed: grep says so on stderr and exits 2
    assert.is(lo.status, 2);
    const l = figuresFromGrep(lo.stdout, 'lo', 1)!;
    assert.equal([l.ifindex, l.mtu, l.address, l.speed], [1, 65536, '00:00:00:00:00:00', undefined]);
    assert.is(figuresFromGrep(inside('nsjnone').stdout, 'nsjnone', 1), undefined);
  } finally {
    cleanup();
  }
});

test('errors: dead pid is ESRCH, bad targets and names are TypeErrors', async () => {
  const gone = await startTarget({ ns: ['net'] });
  const pid = gone.pid;
  gone.kill();
  await new Promise((r) => setTimeout(r, 50)); // gone, or a zombie (the VM's init may reap late): both are ESRCH
  try {
    readNetDev(pid);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, NsError);
    assert.is((err as NsError).code, 'ESRCH');
    assert.is((err as NsError).pid, pid);
  }
  assert.throws(
    () => readNetDev(0),
    (e: unknown) => e instanceof RangeError,
  );
  assert.throws(
    () => readNetDev('1' as never),
    (e: unknown) => e instanceof TypeError,
  );
  for (const bad of ['', '../../etc', 'a/b', 'x'.repeat(16), 'eth0:1', 'e th0', '..']) {
    try {
      await readInterfaceStats(process.pid, bad);
      assert.unreachable(bad);
    } catch (err) {
      assert.instance(err, TypeError, bad);
    }
  }
});

test('readNetDev reads a captured procfs tree (procRoot); ifindexes only when asked for', () => {
  const procRoot = new URL('./fixtures/net/proc', import.meta.url).pathname;
  const plain = readNetDev(4242, { procRoot });
  assert.equal(
    plain.devices.map((d) => [d.name, 'ifindex' in d]),
    [
      ['lo', false],
      ['ifb0', false],
      ['ifb1', false],
      ['eth0', false],
    ],
  );
  const s = readNetDev(4242, { procRoot, ifindex: true });
  assert.is(s.pid, 4242);
  assert.is(s.netns, undefined);
  assert.equal(
    s.devices.map((d) => [d.name, d.ifindex]),
    [
      ['lo', 1],
      ['ifb0', undefined],
      ['ifb1', undefined],
      ['eth0', 4],
    ],
  );
  assert.is(s.devices[3]!.rx.bytes, 185072208);
});

test.run();
