// The block IO figures of a cgroup, per device and summed: v1 blkio (throttle files first) or v2 io.stat.
import { readTextIfExists } from '../io.js';
import { parseBlkioStat } from '../parse/blkio.js';
import { parseIoStat } from '../parse/io-stat.js';
import { file, isV2 } from './files.js';
import type { CgroupIo, CgroupIoDevice, CgroupLocation } from './types.js';

function sumIo(devices: CgroupIoDevice[]): CgroupIo {
  const io: CgroupIo = { devices, readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0 };
  for (const d of devices) {
    io.readBytes += d.readBytes;
    io.writeBytes += d.writeBytes;
    io.readOps += d.readOps;
    io.writeOps += d.writeOps;
  }
  return io;
}

/** The block IO figures of a located cgroup; undefined when it has no IO accounting. */
export function readIo(loc: CgroupLocation): CgroupIo | undefined {
  const blkio = loc.controllers['blkio'];
  if (blkio !== undefined) {
    // Recursive files first: v2's io.stat counts descendants too, and a container may use sub-cgroups.
    const pick = (names: string[]): { name: string; text: string } | undefined => {
      for (const name of names) {
        const text = readTextIfExists(file(blkio, name));
        if (text !== undefined) return { name, text };
      }
      return undefined;
    };
    const bytes = pick([
      'blkio.throttle.io_service_bytes_recursive',
      'blkio.throttle.io_service_bytes',
      'blkio.io_service_bytes_recursive',
    ]);
    const ops = pick(['blkio.throttle.io_serviced_recursive', 'blkio.throttle.io_serviced', 'blkio.io_serviced_recursive']);
    if (!bytes || !ops) return undefined;
    const b = parseBlkioStat(bytes.text, file(blkio, bytes.name));
    const o = parseBlkioStat(ops.text, file(blkio, ops.name));
    const devices = new Map<string, CgroupIoDevice>();
    const dev = (major: number, minor: number): CgroupIoDevice => {
      const key = `${major}:${minor}`;
      let d = devices.get(key);
      if (!d) devices.set(key, (d = { major, minor, readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0 }));
      return d;
    };
    for (const s of b.devices) Object.assign(dev(s.major, s.minor), { readBytes: s.ops['Read'] ?? 0, writeBytes: s.ops['Write'] ?? 0 });
    for (const s of o.devices) Object.assign(dev(s.major, s.minor), { readOps: s.ops['Read'] ?? 0, writeOps: s.ops['Write'] ?? 0 });
    return sumIo([...devices.values()]);
  }
  const dir = loc.unified;
  if (dir === undefined || (loc.mode === 'hybrid' && !isV2(loc, 'io'))) return undefined;
  const text = readTextIfExists(file(dir, 'io.stat'));
  if (text === undefined) return undefined;
  return sumIo(
    parseIoStat(text, file(dir, 'io.stat')).map(({ major, minor, readBytes, writeBytes, readOps, writeOps }) => ({
      major,
      minor,
      readBytes,
      writeBytes,
      readOps,
      writeOps,
    })),
  );
}
