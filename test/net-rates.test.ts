import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { netRates } from '../lib/net/rates.js';
import type { NetDevSample, NetDevStat } from '../lib/net/netdev.js';

const RUNS = Number(process.env.NSJOIN_FUZZ_RUNS ?? 300);

function dev(
  name: string,
  rxBytes: number,
  txBytes: number,
  ifindex?: number,
  more: Partial<{ rxPackets: number; txPackets: number; rxErrs: number; txDrop: number }> = {},
): NetDevStat {
  const d: NetDevStat = {
    name,
    rx: { bytes: rxBytes, packets: more.rxPackets ?? 0, errs: more.rxErrs ?? 0, drop: 0, fifo: 0, frame: 0, compressed: 0, multicast: 0 },
    tx: { bytes: txBytes, packets: more.txPackets ?? 0, errs: 0, drop: more.txDrop ?? 0, fifo: 0, colls: 0, carrier: 0, compressed: 0 },
  };
  if (ifindex !== undefined) d.ifindex = ifindex;
  return d;
}
const sample = (time: number, devices: NetDevStat[], netns?: number): NetDevSample =>
  netns === undefined ? { pid: 1, time, devices } : { pid: 1, netns, time, devices };

test('bytes, packets, errors and drops per second over the sample interval (ms)', () => {
  const r = netRates(
    sample(1000, [dev('eth0', 1000, 500, 2, { rxPackets: 10, txPackets: 5, rxErrs: 1, txDrop: 0 })]),
    sample(3000, [dev('eth0', 5000, 2500, 2, { rxPackets: 30, txPackets: 25, rxErrs: 3, txDrop: 4 })]),
  );
  assert.is(r.seconds, 2);
  const [e] = r.interfaces;
  assert.equal(e, {
    name: 'eth0',
    ifindex: 2,
    reset: false,
    rx: { bytes: 2000, packets: 10, errors: 1, drops: 0 },
    tx: { bytes: 1000, packets: 10, errors: 0, drops: 2 },
  });
});

test('totals add every interface (not just the last one); loopback only on request', () => {
  const prev = sample(0, [dev('lo', 0, 0, 1), dev('eth0', 0, 0, 2), dev('eth1', 0, 0, 3), dev('net1', 0, 0, 4)]);
  const next = sample(1000, [dev('lo', 7000, 7000, 1), dev('eth0', 100, 10, 2), dev('eth1', 200, 20, 3), dev('net1', 300, 30, 4)]);
  const r = netRates(prev, next);
  assert.is(r.total.rx.bytes, 600);
  assert.is(r.total.tx.bytes, 60);
  const all = netRates(prev, next, { includeLoopback: true });
  assert.is(all.total.rx.bytes, 7600);
  assert.is(all.interfaces.length, 4);
});

test('a counter that went down is a reset: counted from zero, never negative', () => {
  const r = netRates(sample(0, [dev('eth0', 900_000, 900_000, 5)]), sample(1000, [dev('eth0', 300, 1_000_000, 5)]));
  const [e] = r.interfaces;
  assert.is(e!.reset, true);
  assert.is(e!.rx.bytes, 300);
  assert.is(e!.tx.bytes, 100_000); // the counter that did not go down keeps its delta
});

test('a 32-bit wrap is a reset, not a 4 GiB spike', () => {
  const r = netRates(sample(0, [dev('eth0', 2 ** 32 - 1000, 0)]), sample(1000, [dev('eth0', 500, 0)]));
  assert.is(r.interfaces[0]!.reset, true);
  assert.is(r.interfaces[0]!.rx.bytes, 500);
});

test('a changed ifindex is a reset even when the new counters are higher', () => {
  const r = netRates(sample(0, [dev('veth0', 1000, 1000, 7)]), sample(1000, [dev('veth0', 5000, 1500, 9)]));
  assert.equal(r.interfaces[0], {
    name: 'veth0',
    ifindex: 9,
    reset: true,
    rx: { bytes: 5000, packets: 0, errors: 0, drops: 0 },
    tx: { bytes: 1500, packets: 0, errors: 0, drops: 0 },
  });
});

test('new interfaces count from zero, removed ones are listed, renamed ones are followed by ifindex', () => {
  const r = netRates(
    sample(0, [dev('lo', 0, 0, 1), dev('old0', 10, 10, 3), dev('tmp0', 1_000_000, 0, 4)]),
    sample(2000, [dev('lo', 0, 0, 1), dev('new0', 400, 0, 5), dev('eth0', 1_000_400, 0, 4)]),
  );
  const by = Object.fromEntries(r.interfaces.map((i) => [i.name, i]));
  assert.is(by.new0!.reset, true);
  assert.is(by.new0!.rx.bytes, 200);
  assert.is(by.eth0!.reset, false);
  assert.is(by.eth0!.rx.bytes, 200);
  assert.equal(r.removed, ['old0', 'tmp0']);
});

test('samples of different network namespaces: everything counts as new', () => {
  const r = netRates(sample(0, [dev('eth0', 100, 0, 2)], 111), sample(1000, [dev('eth0', 150, 0, 2)], 222));
  assert.is(r.interfaces[0]!.reset, true);
  assert.is(r.interfaces[0]!.rx.bytes, 150);
});

test('the second sample must be later', () => {
  assert.throws(
    () => netRates(sample(1000, []), sample(1000, [])),
    (e: unknown) => e instanceof RangeError,
  );
  assert.throws(
    () => netRates(sample(2000, []), sample(1000, [])),
    (e: unknown) => e instanceof RangeError,
  );
  assert.throws(
    () => netRates(sample(NaN, []), sample(1000, [])),
    (e: unknown) => e instanceof RangeError,
  );
});

test('fuzz: rates are never negative, never above what the newer counters allow', () => {
  const counter = fc.oneof(fc.nat({ max: 5000 }), fc.maxSafeNat());
  const d = fc.record({
    name: fc.constantFrom('lo', 'eth0', 'eth1', 'veth1'),
    ifindex: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    rx: counter,
    tx: counter,
    p: counter,
  });
  fc.assert(
    fc.property(fc.array(d, { maxLength: 4 }), fc.array(d, { maxLength: 4 }), fc.integer({ min: 1, max: 100_000 }), (a, b, ms) => {
      const uniq = (xs: typeof a) =>
        [...new Map(xs.map((x) => [x.name, x])).values()].map((x) => dev(x.name, x.rx, x.tx, x.ifindex, { rxPackets: x.p }));
      const next = uniq(b);
      const r = netRates(sample(0, uniq(a)), sample(ms, next), { includeLoopback: true });
      let sum = 0;
      r.interfaces.forEach((i, k) => {
        for (const v of [...Object.values(i.rx), ...Object.values(i.tx)]) assert.ok(v >= 0 && Number.isFinite(v));
        assert.ok(i.rx.bytes <= next[k]!.rx.bytes / (ms / 1000) + 1e-6);
        sum += i.rx.bytes;
      });
      assert.ok(Math.abs(r.total.rx.bytes - sum) <= 1e-6 * Math.max(1, sum));
    }),
    { numRuns: RUNS },
  );
});

test.run();
