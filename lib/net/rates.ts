import type { NetDevSample, NetDevStat } from './netdev.js';

/** Rates of one direction, all per second: bytes/s (link-layer bytes), packets/s, errors/s, drops/s. */
export interface NetRate {
  bytes: number;
  packets: number;
  errors: number;
  drops: number;
}

/** Rates of one interface between two samples. */
export interface InterfaceRate {
  name: string;
  /** ifindex in the newer sample, when known. */
  ifindex?: number;
  rx: NetRate;
  tx: NetRate;
  /**
   * True when the counters started again during the interval: the interface is new (or its
   * namespace is), its ifindex changed (deleted and recreated), or a counter went down (recreated,
   * or a 32-bit counter wrapped). Each counter that restarted is then counted from zero, so its
   * rate is a lower bound, never negative and never a wrap-sized spike.
   */
  reset: boolean;
}

/** What netRates returns. */
export interface NetRates {
  /** Interval between the two samples, in seconds. */
  seconds: number;
  /** Every interface of the newer sample, loopback included, in its order. */
  interfaces: InterfaceRate[];
  /** Sums over the interfaces (all of them; loopback only with `includeLoopback`). */
  total: { rx: NetRate; tx: NetRate };
  /** Names in the older sample that are gone from the newer one. */
  removed: string[];
}

/** Options of netRates. */
export interface NetRatesOptions {
  /**
   * Count loopback (`lo`, ifindex 1) in `total`. Default false: traffic a container sends to itself
   * never leaves it, and is counted twice (once sent, once received).
   */
  includeLoopback?: boolean;
}

/**
 * Turns two readNetDev samples of the same namespace into per-second rates. Pure. Interfaces are
 * matched by name (a renamed interface by its ifindex); a restart of the counters is reported as
 * `reset` and counted from zero (see InterfaceRate.reset). If the samples come from different
 * network namespaces (netns inode), every interface counts as new.
 *
 * @throws RangeError unless `next.time` is later than `prev.time`
 */
export function netRates(prev: NetDevSample, next: NetDevSample, options: NetRatesOptions = {}): NetRates {
  const seconds = (next.time - prev.time) / 1000;
  if (!(seconds > 0)) throw new RangeError(`netRates: the second sample must be later than the first (got ${seconds} s)`);
  const sameNs = prev.netns === undefined || next.netns === undefined || prev.netns === next.netns;
  const before = new Map<string, NetDevStat>(sameNs ? prev.devices.map((d) => [d.name, d]) : []);
  const nextNames = new Set(next.devices.map((d) => d.name));
  const total = { rx: zero(), tx: zero() };
  const interfaces = next.devices.map((dev): InterfaceRate => {
    let base = before.get(dev.name);
    let reset = false;
    if (base === undefined && dev.ifindex !== undefined) {
      base = [...before.values()].find((p) => p.ifindex === dev.ifindex && !nextNames.has(p.name));
    }
    if (base !== undefined && base.ifindex !== undefined && dev.ifindex !== undefined && base.ifindex !== dev.ifindex) base = undefined;
    if (base === undefined) reset = true;
    const delta = (now: number, then: number | undefined): number => {
      if (then === undefined) return now;
      if (now < then) {
        reset = true;
        return now;
      }
      return now - then;
    };
    const rx: NetRate = {
      bytes: delta(dev.rx.bytes, base?.rx.bytes) / seconds,
      packets: delta(dev.rx.packets, base?.rx.packets) / seconds,
      errors: delta(dev.rx.errs, base?.rx.errs) / seconds,
      drops: delta(dev.rx.drop, base?.rx.drop) / seconds,
    };
    const tx: NetRate = {
      bytes: delta(dev.tx.bytes, base?.tx.bytes) / seconds,
      packets: delta(dev.tx.packets, base?.tx.packets) / seconds,
      errors: delta(dev.tx.errs, base?.tx.errs) / seconds,
      drops: delta(dev.tx.drop, base?.tx.drop) / seconds,
    };
    if (options.includeLoopback || !(dev.name === 'lo' || dev.ifindex === 1)) {
      add(total.rx, rx);
      add(total.tx, tx);
    }
    const rate: InterfaceRate = { name: dev.name, rx, tx, reset };
    if (dev.ifindex !== undefined) rate.ifindex = dev.ifindex;
    return rate;
  });
  const removed = prev.devices.map((d) => d.name).filter((name) => !nextNames.has(name));
  return { seconds, interfaces, total, removed };
}

function zero(): NetRate {
  return { bytes: 0, packets: 0, errors: 0, drops: 0 };
}

function add(sum: NetRate, r: NetRate): void {
  sum.bytes += r.bytes;
  sum.packets += r.packets;
  sum.errors += r.errors;
  sum.drops += r.drops;
}
