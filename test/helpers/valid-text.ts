// Text a Linux kernel can really print, generated: each arbitrary follows what the kernel's own
// printing code allows (fs/proc_namespace.c, kernel/cgroup/cgroup.c, net/core/net-procfs.c), not what
// our parsers happen to accept. Every one must parse; a ParseError on it is a bug in the parser.
import fc from 'fast-check';

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);
const small = fc.nat({ max: 1 << 20 }).map(String);
/** Counters: mostly small, sometimes the full u64 range (wrapped or saturated counters). */
const counter = fc.oneof({ arbitrary: small, weight: 3 }, { arbitrary: u64, weight: 1 });
/** Keys of flat and nested keyed files: lowercase, digits and '_' (a future kernel adds new ones). */
const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,23}$/);
/** A component of a cgroup or mount path: anything but '/', NUL and (cgroup names) newline. */
const nameChar = fc.constantFrom('a', 'b', 'z', '0', '9', '-', '_', '.', ' ', ':', ',', '=', '\\', '\t', '@', '[', ']', 'é', '🙂', '\\x2d');
const component = fc
  .array(nameChar, { minLength: 1, maxLength: 12 })
  .map((c) => c.join(''))
  .filter((c) => c !== '.' && c !== '..');
const path = fc.array(component, { maxLength: 5 }).map((c) => `/${c.join('/')}`);

function lines(ls: string[]): string {
  return ls.map((l) => `${l}\n`).join('');
}
function uniqueKeys<T>(arb: fc.Arbitrary<T>, keyOf: (t: T) => string, max = 40): fc.Arbitrary<T[]> {
  return fc.uniqueArray(arb, { selector: keyOf, maxLength: max });
}

/** memory.stat, cpu.stat, *.events, cgroup.stat, cpuacct.stat: `key value` lines, keys unique. */
export const flatKeyed = uniqueKeys(fc.tuple(key, counter), ([k]) => k).map((kv) => lines(kv.map(([k, v]) => `${k} ${v}`)));

const device = fc.tuple(fc.nat({ max: 4095 }), fc.nat({ max: 1 << 20 })).map(([a, b]) => `${a}:${b}`);
/** io.stat: `MAJ:MIN name=value ...`, names unique per line (v2 may add new ones, e.g. dbytes). */
export const ioStat = uniqueKeys(
  fc.tuple(
    device,
    uniqueKeys(fc.tuple(key, counter), ([k]) => k, 8),
  ),
  ([d]) => d,
  6,
).map((ds) => lines(ds.map(([d, kv]) => [d, ...kv.map(([k, v]) => `${k}=${v}`)].join(' '))));

const avg = fc.integer({ min: 0, max: 10000 }).map((n) => (n / 100).toFixed(2));
const psiLine = (kind: string) =>
  fc.tuple(avg, avg, avg, u64).map(([a, b, c, t]) => `${kind} avg10=${a} avg60=${b} avg300=${c} total=${t}`);
/** cpu/memory/io.pressure: a `some` line, and a `full` line (cpu has one since 5.13). */
export const pressure = fc.tuple(psiLine('some'), fc.option(psiLine('full'))).map(([s, f]) => lines(f ? [s, f] : [s]));

/** memory.current, pids.current, cpu.weight, memory.peak: one unsigned integer. */
export const singleValue = u64.map((v) => `${v}\n`);
/** memory.max, pids.max, memory.high, v1 limit_in_bytes: an unsigned integer or max (v1: -1 for cpu quota). */
export const limit = fc.oneof(u64, fc.constant('max')).map((v) => `${v}\n`);
/** cpu.max: quota (max or 1000..) and period (1000..1000000) in microseconds. */
export const cpuMax = fc
  .tuple(fc.oneof(fc.constant('max'), fc.integer({ min: 1000, max: 2 ** 31 }).map(String)), fc.integer({ min: 1000, max: 1_000_000 }))
  .map(([q, p]) => `${q} ${p}\n`);
/** cpuset.cpus(.effective): ascending ranges and single ids, or an empty line. */
export const cpuList = fc.uniqueArray(fc.nat({ max: 4095 }), { maxLength: 20 }).map((ids) => {
  const s = ids.sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(j === i ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return `${parts.join(',')}\n`;
});

const controllers = fc.uniqueArray(
  fc.constantFrom(
    'cpu',
    'cpuacct',
    'memory',
    'blkio',
    'pids',
    'devices',
    'freezer',
    'net_cls',
    'net_prio',
    'perf_event',
    'hugetlb',
    'rdma',
    'misc',
    'cpuset',
    'name=systemd',
    'name=openrc',
  ),
  { minLength: 1, maxLength: 3 },
);
/** /proc/PID/cgroup: v1 lines `N:ctl,ctl:path`, a v2 line `0::path`; a path outside the reader's cgroup namespace starts with /.. and names may hold ':'. */
export const procCgroup = fc
  .tuple(
    fc.array(fc.tuple(fc.integer({ min: 1, max: 15 }), controllers, path), { maxLength: 13 }),
    fc.option(
      fc.oneof(
        path,
        path.map((p) => `/..${p === '/' ? '' : p}`),
      ),
    ),
  )
  .filter(([v1, v2]) => v1.length > 0 || v2 !== null)
  .map(([v1, v2]) => lines([...v1.map(([n, c, p]) => `${n}:${c.join(',')}:${p}`), ...(v2 === null ? [] : [`0::${v2}`])]));

/** The kernel's mangle(): space, tab, newline and backslash as octal escapes. */
const mangle = (s: string): string => s.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
const nsfsRoot = fc
  .tuple(fc.constantFrom('net', 'mnt', 'uts', 'ipc', 'pid', 'cgroup', 'user', 'time'), fc.integer({ min: 4026531830, max: 4026600000 }))
  .map(([t, i]) => `${t}:[${i}]`);
const mountRoot = fc.oneof(
  path.map(mangle),
  path.map((p) => mangle(`${p} (deleted)`)),
  nsfsRoot,
  fc.constant('/..'),
);
const optional = fc.uniqueArray(
  fc.oneof(
    fc.nat({ max: 9999 }).map((n) => `shared:${n}`),
    fc.nat({ max: 9999 }).map((n) => `master:${n}`),
    fc.nat({ max: 9999 }).map((n) => `propagate_from:${n}`),
    fc.constant('unbindable'),
  ),
  { maxLength: 3 },
);
const fsType = fc.constantFrom(
  'ext4',
  'tmpfs',
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
  'nsfs',
  'overlay',
  'fuse.sshfs',
  'fuse.lxcfs',
  '9p',
  'devpts',
  'squashfs',
  'btrfs',
);
const source = fc.oneof(
  fc.constantFrom('none', 'proc', 'tmpfs', 'overlay', 'nsfs', '/dev/vda1', 'lxcfs', 'project', 'cgroup'),
  path.map(mangle),
);
const superOpt = fc.oneof(
  fc.constantFrom(
    'rw',
    'ro',
    'relatime',
    'nsdelegate',
    'memory_recursiveprot',
    'cpu',
    'memory',
    'size=65536k',
    'mode=755',
    'lowerdir=/a:/b',
    'upperdir=/c',
    'errors=remount-ro',
    'trans=virtio',
  ),
  path.map((p) => `workdir=${mangle(p)}`),
);
const mountLine = fc
  .tuple(
    fc.nat({ max: 99999 }),
    fc.nat({ max: 99999 }),
    device,
    mountRoot,
    path.map(mangle),
    fc.constantFrom('rw', 'ro', 'rw,relatime', 'ro,nosuid,nodev,noexec,relatime', 'rw,nosuid,nodev'),
    optional,
    fsType,
    source,
    fc.array(superOpt, { minLength: 1, maxLength: 4 }),
  )
  .map(([id, parent, dev, root, mp, opts, opt, type, src, sopts]) =>
    [id, parent, dev, root, mp, opts, ...opt, '-', type, src, sopts.join(',')].join(' '),
  );
/** /proc/PID/mountinfo: every field as fs/proc_namespace.c prints it (nsfs roots, deleted roots, optional fields, escapes). */
export const mountinfo = fc.array(mountLine, { minLength: 1, maxLength: 20 }).map(lines);

const ifname = fc
  .array(fc.constantFrom('e', 't', 'h', '0', '1', 'v', '-', '.', '_', '@', 'é', '#'), { minLength: 1, maxLength: 15 })
  .map((c) => c.join(''))
  .filter((n) => n !== '.' && n !== '..' && Buffer.byteLength(n) <= 15);
/** /proc/net/dev: the two header lines, then `%6s: ` and 16 u64 counters per interface. */
export const netDev = uniqueKeys(fc.tuple(ifname, fc.array(counter, { minLength: 16, maxLength: 16 })), ([n]) => n, 8).map(
  (devs) =>
    'Inter-|   Receive                                                |  Transmit\n' +
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n' +
    lines(devs.map(([n, c]) => `${n.padStart(6)}: ${c.map((v, i) => v.padStart(i === 0 || i === 8 ? 8 : 7)).join(' ')}`)),
);
