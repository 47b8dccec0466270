// Where a socket goes in a target: the endpoint options of connectIn/listenIn checked, a host name
// looked up on the host, an IPv6 zone turned into the target's ifindex (lib/sockets.ts makes it).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { RawSocketSpec } from './binding.js';
import { NsError } from './errors.js';
import { readText } from './io.js';
import { ifindexesFromIfInet6 } from './parse/if-inet6.js';
import { readUnderPidfd } from './pidfd.js';
import { kernelSupport } from './spawn/kernel.js';
import { describe, resolveTarget } from './targets.js';

/** A TCP endpoint inside the target's network namespace. */
export interface TcpEndpoint {
  /** IP address or host name. A name is resolved on the host, not inside the target.
   *  connectIn default '127.0.0.1' (the target's loopback); listenIn default: every address ('::',
   *  or '0.0.0.0' where the namespace has no IPv6). IPv6 zones (`fe80::1%eth0`) name the target's
   *  interfaces. */
  host?: string;
  /** Port; 1-65535 for connectIn, 0-65535 for listenIn (0: the kernel picks one). */
  port: number;
  /** Address family for a host name lookup: 4 or 6. Default: whatever the lookup returns first. */
  family?: 4 | 6;
}

/** A Unix socket in the target's filesystem. */
export interface UnixEndpoint {
  /** Absolute path in the target's view (its root, /proc/PID/root), of any length: sun_path's 108
   *  bytes limit only the last component (about 85 bytes here; listenIn). Every symlink, the last
   *  component too, is resolved inside the target's root (openat2 RESOLVE_IN_ROOT; Linux >= 5.6,
   *  ENOSYS before): a link to a host path such as /var/run/docker.sock reaches the target's file of
   *  that name, never the host's. connectIn refuses a path that is not a socket (ENOTSOCK). */
  path: string;
}

/** Options of connectIn. */
export type ConnectInOptions = (TcpEndpoint | UnixEndpoint) & {
  /** Give up connecting after this many milliseconds (ETIMEDOUT). Default: the kernel's own
   *  (about two minutes for an unanswered TCP SYN). */
  timeout?: number;
};

/** Options of listenIn. */
export type ListenInOptions = (TcpEndpoint | UnixEndpoint) & {
  /** listen(2) backlog. Default 511, as Node. */
  backlog?: number;
};

/** An endpoint checked and resolved: the target pid and what socketIn makes there. @internal */
export interface Resolved {
  pid: number;
  spec: RawSocketSpec;
}

function checkTimeout(v: unknown): number {
  if (v === undefined) return -1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1)
    throw new RangeError(`timeout must be an integer 0 to 2^31-1 ms, got ${describe(v)}`);
  return v;
}

function checkPath(path: unknown): { dir: string; name: string } {
  if (typeof path !== 'string') throw new TypeError(`path must be a string, got ${describe(path)}`);
  if (path.includes('\0')) throw new TypeError('path must not contain NUL bytes');
  if (!path.startsWith('/')) throw new TypeError(`path must be absolute (in the target's view), got ${describe(path)}`);
  const trimmed = path.replace(/\/+$/, '');
  const cut = trimmed.lastIndexOf('/');
  const name = trimmed.slice(cut + 1);
  if (name.length === 0 || name === '.' || name === '..') throw new TypeError(`path must name a socket file, got ${describe(path)}`);
  // Relative to the target's root: the addon opens it with openat2(rootfd, RESOLVE_IN_ROOT).
  const dir = trimmed.slice(0, cut).replace(/^\/+/, '') || '.';
  return { dir, name };
}

/** An IPv6 literal to its 16 bytes. */
function ipv6Bytes(addr: string): Buffer {
  let text = addr;
  const out = Buffer.alloc(16);
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  let tailV4: number[] = [];
  if (v4) {
    tailV4 = v4[1]!.split('.').map(Number);
    text = `${text.slice(0, -v4[1]!.length)}0:0`;
  }
  const [head = '', tail] = text.split('::');
  const words = (s: string) => (s === '' ? [] : s.split(':').map((w) => parseInt(w, 16)));
  const h = words(head),
    t = tail === undefined ? [] : words(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  if (v4)
    tailV4.forEach((b, i) => {
      out[12 + i] = b;
    });
  return out;
}

/** Index of a named interface inside the target's network namespace (for IPv6 zones), read
 *  under a pidfd of the target (a pid reused meanwhile is an ESRCH, not a stranger's index). */
function zoneIndex(pid: number, zone: string): number {
  if (/^\d+$/.test(zone)) return Number(zone);
  const text = readUnderPidfd(pid, () => readText(`/proc/${pid}/net/if_inet6`, pid));
  const found = ifindexesFromIfInet6(text).find(([name]) => name === zone);
  if (found) return found[1];
  throw new NsError('ENODEV', `no interface ${JSON.stringify(zone)} with IPv6 in the target's network namespace [pid ${pid}]`, { pid });
}

/** Checks and resolves connectIn/listenIn options. @internal */
export async function resolveEndpoint(target: unknown, options: unknown, op: 'connect' | 'bind'): Promise<Resolved> {
  const pid = resolveTarget(target);
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new TypeError(`options must be { host?, port } or { path }, got ${describe(options)}`);
  const o = options as Record<string, unknown>;
  const known = op === 'connect' ? ['host', 'port', 'family', 'path', 'timeout'] : ['host', 'port', 'family', 'path', 'backlog'];
  for (const key of Object.keys(o)) if (!known.includes(key)) throw new TypeError(`unknown option ${describe(key)}`);
  const base = { pid, setnsPidfd: kernelSupport().setnsPidfd, op, timeoutMs: op === 'connect' ? checkTimeout(o.timeout) : -1 };
  if (o.path !== undefined) {
    if (o.host !== undefined || o.port !== undefined) throw new TypeError('options take either { path } or { host, port }');
    return { pid, spec: { ...base, family: 'unix', ...checkPath(o.path) } };
  }
  const port = o.port;
  const minPort = op === 'connect' ? 1 : 0;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < minPort || port > 65535) {
    throw new RangeError(`port must be an integer ${minPort}-65535, got ${describe(port)}`);
  }
  if (o.family !== undefined && o.family !== 4 && o.family !== 6) throw new TypeError(`family must be 4 or 6, got ${describe(o.family)}`);
  const given = o.host ?? (op === 'connect' ? '127.0.0.1' : '::');
  if (typeof given !== 'string' || given.length === 0 || given.includes('\0'))
    throw new TypeError(`host must be a non-empty string, got ${describe(given)}`);
  let host = given;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  let zone = '';
  const pct = host.indexOf('%');
  if (pct > 0 && isIP(host.slice(0, pct)) === 6) {
    zone = host.slice(pct + 1);
    host = host.slice(0, pct);
  }
  let address = host,
    family = isIP(host);
  if (family === 0) {
    // Resolved on the host: the target's /etc/hosts and resolvers are not consulted.
    const found = await lookup(host, o.family === undefined ? {} : { family: o.family as 4 | 6 });
    address = found.address;
    family = found.family;
  }
  const bytes = family === 4 ? Buffer.from(address.split('.').map(Number)) : ipv6Bytes(address);
  return {
    pid,
    spec: { ...base, family: family === 4 ? 'inet' : 'inet6', address: bytes, port, scopeId: zone ? zoneIndex(pid, zone) : 0 },
  };
}
