// Per-interface sysfs statistics (/sys/class/net/NAME/statistics/*) of a process's network
// namespace. A sysfs mount shows the devices of the network namespace of whoever mounted it, not of
// whoever reads it, so the target's /proc/PID/root/sys is only used after checking that it shows
// the target's namespace; otherwise a helper joins that namespace and mounts a sysfs of its own.
// The container owns every path under /proc/PID/root: they are resolved with openat2 in that root
// (lib/inroot.ts), never walked by name from the host.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { NsError } from '../errors.js';
import { readProc } from '../io.js';
import { parseNetDev } from '../parse/netdev.js';
import { execFileInternal, type ExecFileOptions } from '../spawn.js';
import { resolveTarget, type RootOptions, type Target } from '../targets.js';
import { netnsInode } from './netdev.js';
import { readCheckedSysfs } from './sysfs-checked.js';
import { figuresFromGrep, sysfsGrepArgs, type InterfaceStats, type InterfaceStatsSource, type SysfsFigures } from './sysfs-figures.js';

export { readCheckedSysfs } from './sysfs-checked.js';
export { figuresFromGrep, sysfsGrepArgs } from './sysfs-figures.js';
export type { InterfaceStats, InterfaceStatsSource, SysfsFigures } from './sysfs-figures.js';

/**
 * Reads the sysfs figures of interface `name` in the network namespace of `target`: every file of
 * /sys/class/net/NAME/statistics plus ifindex, operstate, mtu, address and speed.
 *
 * Sources, in order (reported in `source`): the target's own sysfs at /proc/PID/root/sys, when it is
 * a sysfs that shows the target's network namespace (a container that mounted its own /sys; checked
 * as readCheckedSysfs describes; about 0.6 ms); our sysfs, when the target is in our network
 * namespace; otherwise a helper process (the host's grep) started by the exec core in the target's
 * network namespace with a private mount namespace and a freshly mounted sysfs (needs CAP_SYS_ADMIN;
 * about 3 ms). `time` is taken just before the figures are read.
 *
 * @throws TypeError for a name that cannot be an interface name; NsError 'ENOENT' when the namespace
 *   has no such interface, 'ESRCH' when the process is gone, the exec core's NsErrors (EPERM, ...)
 *   when joining fails; ParseError when a kernel file is malformed
 */
export async function readInterfaceStats(target: Target, name: string, roots: RootOptions = {}): Promise<InterfaceStats> {
  const procRoot = roots.procRoot ?? '/proc';
  const sysRoot = roots.sysRoot ?? '/sys';
  const pid = resolveTarget(target, roots);
  checkIfName(name);
  const devPath = `${procRoot}/${pid}/net/dev`;
  if (!parseNetDev(readProc(procRoot, pid, devPath), devPath).some((d) => d.name === name)) throw noSuchInterface(name, pid, devPath);

  // [root directory, its sysfs inside it (resolved in that root), source]
  const candidates: Array<[string, string, InterfaceStatsSource]> = [[`${procRoot}/${pid}/root`, 'sys', 'target-sysfs']];
  const ours = netnsInode(procRoot, process.pid);
  if (ours !== undefined && ours === netnsInode(procRoot, pid)) candidates.push([sysRoot, '.', 'our-sysfs']);
  for (const [root, rel, source] of candidates) {
    const found = readCheckedSysfs(root, rel, name, procRoot, pid);
    if (found) return { ...found, name, pid, source };
  }
  return { ...(await readByJoining(pid, name, devPath)), name, pid, source: 'joined' };
}

async function readByJoining(pid: number, name: string, devPath: string): Promise<SysfsFigures> {
  const grep = ['/usr/bin/grep', '/bin/grep'].find((p) => existsSync(p));
  if (grep === undefined) throw new NsError('ENOENT', 'no grep on this host to read sysfs inside the namespace', { path: '/usr/bin/grep' });
  const time = performance.timeOrigin + performance.now();
  let stdout: string;
  try {
    // A fixed environment: the caller's (GREP_*, locale) must not change what grep prints.
    const options: ExecFileOptions = { namespaces: ['net'], root: false, env: { LC_ALL: 'C' }, timeout: 10_000 };
    stdout = String((await execFileInternal(pid, grep, sysfsGrepArgs(name), options, { freshSysfs: true })).stdout);
  } catch (err) {
    // grep exits 2 when a file could not be read (speed: EINVAL on a link without speed); what it did read is valid.
    const e = err as { code?: unknown; stdout?: unknown };
    if (e.code !== 2 || (typeof e.stdout !== 'string' && !Buffer.isBuffer(e.stdout))) throw err;
    stdout = String(e.stdout);
  }
  const found = figuresFromGrep(stdout, name, time);
  if (!found) throw noSuchInterface(name, pid, devPath);
  return found;
}

function checkIfName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 15 || name === '.' || name === '..' || /[\s/:]/.test(name)) {
    throw new TypeError(`interface name must be 1 to 15 characters without '/', ':' or spaces, got ${JSON.stringify(name)}`);
  }
}

function noSuchInterface(name: string, pid: number, path: string): NsError {
  return new NsError('ENOENT', `no network interface ${name} in the network namespace of pid ${pid}`, { path, pid });
}
