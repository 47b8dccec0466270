// Which files a call reads: node:fs instrumented for one call (test/cgroup-reads-once.test.ts checks
// that no file is read twice; bench/cgroup.ts finds the read floor with it).
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

export interface Recording {
  /** Files opened and read (in order, repeats kept). */
  read: string[];
  /** Opens that failed (absent optional files), existence checks, directory listings, readlinks. */
  probes: number;
  listings: number;
}

/** Runs fn once with node:fs instrumented and returns what it touched. */
export function record(fn: () => void): Recording {
  const rec: Recording = { read: [], probes: 0, listings: 0 };
  const orig = {
    openSync: fs.openSync,
    existsSync: fs.existsSync,
    readdirSync: fs.readdirSync,
    readlinkSync: fs.readlinkSync,
    statSync: fs.statSync,
  };
  const f = fs as unknown as Record<string, unknown>;
  f['openSync'] = (path: fs.PathLike, ...rest: unknown[]) => {
    try {
      const fd = (orig.openSync as (...a: unknown[]) => number)(path, ...rest);
      rec.read.push(String(path));
      return fd;
    } catch (err) {
      rec.probes++;
      throw err;
    }
  };
  f['existsSync'] = (path: fs.PathLike) => {
    rec.probes++;
    return orig.existsSync(path);
  };
  f['statSync'] = (...a: unknown[]) => {
    rec.probes++;
    return (orig.statSync as (...x: unknown[]) => unknown)(...a);
  };
  f['readlinkSync'] = (...a: unknown[]) => {
    rec.probes++;
    return (orig.readlinkSync as (...x: unknown[]) => unknown)(...a);
  };
  f['readdirSync'] = (...a: unknown[]) => {
    rec.listings++;
    return (orig.readdirSync as (...x: unknown[]) => unknown)(...a);
  };
  syncBuiltinESMExports();
  try {
    fn();
  } finally {
    Object.assign(f, orig);
    syncBuiltinESMExports();
  }
  return rec;
}
