// The cgroup parsers on real captures and on the edge cases the kernel really prints.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ParseError } from '../lib/errors.js';
import { parseBlkioLimits, parseBlkioStat } from '../lib/parse/blkio.js';
import { parseCpuList } from '../lib/parse/cpu-list.js';
import { parseCpuMax } from '../lib/parse/cpu-max.js';
import { parseCpuacctStat, parseCpuacctUsageAll, parseCpuacctUsagePercpu } from '../lib/parse/cpuacct.js';
import { parseFlatKeyed } from '../lib/parse/flat-keyed.js';
import { parseIoStat } from '../lib/parse/io-stat.js';
import { parseMountinfo, unescapeMountField } from '../lib/parse/mountinfo.js';
import { parseNestedKeyed } from '../lib/parse/nested-keyed.js';
import { parsePressure } from '../lib/parse/pressure.js';
import { parseProcCgroup } from '../lib/parse/proc-cgroup.js';
import { parseLimit, parseSingleValue } from '../lib/parse/single-value.js';

const fx = (p: string): string => readFileSync(new URL(`./fixtures/${p}`, import.meta.url), 'utf8');
const V2 = 'cgroup-v2/host/sys/fs/cgroup/test';
const HY = 'hybrid/sys/fs/cgroup';

function parseError(fn: () => unknown, file: string, line?: number): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, ParseError);
    assert.is((err as ParseError).file, file);
    if (line !== undefined) assert.is((err as ParseError).line, line);
    return;
  }
  assert.unreachable('expected a ParseError');
}

test('limits: max, -1, page-rounded LLONG_MAX and ULLONG_MAX are unlimited (null)', () => {
  assert.is(parseLimit('max\n', 'memory.max'), null);
  assert.is(parseLimit('-1\n', 'cpu.cfs_quota_us'), null);
  assert.is(parseLimit('9223372036854771712\n', 'memory.limit_in_bytes'), null);
  assert.is(parseLimit('18446744073709551615\n', 'x'), null);
  assert.is(parseLimit(fx(`${V2}/memory.max`), 'memory.max'), 67108864);
  assert.is(parseLimit(fx(`${V2}/pids.max`), 'pids.max'), 100);
  assert.is(parseLimit('50000 \n'), 50000, 'a trailing space is ignored');
  assert.is(parseLimit('4611686018427387903\n'), 2 ** 62, '2^62 - 1 (which Number() rounds to 2^62) is still a number, not unlimited');
  parseError(() => parseLimit('', 'memory.max'), 'memory.max', 0);
  parseError(() => parseLimit('\n', 'memory.max'), 'memory.max', 1);
  parseError(() => parseLimit('-2\n', 'memory.max'), 'memory.max', 1);
  parseError(() => parseLimit('12M\n', 'memory.max'), 'memory.max', 1);
  parseError(() => parseLimit('1\n2\n', 'memory.max'), 'memory.max', 2);
});

test('single values', () => {
  assert.is(parseSingleValue(fx(`${V2}/memory.current`)), 29151232);
  assert.is(parseSingleValue('-5\n'), -5);
  parseError(() => parseSingleValue('max\n', 'cpu.weight'), 'cpu.weight', 1);
  parseError(() => parseSingleValue('', 'memory.current'), 'memory.current', 0);
});

test('cpu.max', () => {
  assert.equal(parseCpuMax(fx(`${V2}/cpu.max`)), { quotaUs: 50000, periodUs: 100000 });
  assert.equal(parseCpuMax('max 100000\n'), { quotaUs: null, periodUs: 100000 });
  assert.equal(parseCpuMax('max 100000 \n'), { quotaUs: null, periodUs: 100000 });
  parseError(() => parseCpuMax('', 'cpu.max'), 'cpu.max', 0);
  parseError(() => parseCpuMax('max\n', 'cpu.max'), 'cpu.max', 1);
  parseError(() => parseCpuMax('-1 100000\n', 'cpu.max'), 'cpu.max', 1);
  parseError(() => parseCpuMax('50000 0\n', 'cpu.max'), 'cpu.max', 1);
});

test('flat keyed: v1 memory.stat keeps local, hierarchical_* and total_* keys apart', () => {
  const s = parseFlatKeyed(fx(`${HY}/memory/session/f4baa9e21f34c5751a7f6b045fcc7f00/memory.stat`), 'memory.stat');
  assert.is(s['inactive_file'], 19415040);
  assert.is(s['total_inactive_file'], 19415040);
  assert.is(s['rss'], 1941504);
  assert.is(s['total_rss'], 1941504);
  assert.is(s['total_rss_huge'], 0, 'total_rss_huge is its own key, not total_rss');
  assert.is(s['hierarchical_memory_limit'], 9223372036854771712);
  assert.is(Object.keys(s).length, 42);
});

test('flat keyed: keys sharing a prefix are separate (file vs file_mapped), unknown keys kept', () => {
  const s = parseFlatKeyed('file 10\nfile_mapped 20\nfile_dirty 30\nsomething_new 7\n', 'memory.stat');
  assert.equal({ ...s }, { file: 10, file_mapped: 20, file_dirty: 30, something_new: 7 });
  const real = parseFlatKeyed(fx(`${V2}/memory.stat`), 'memory.stat');
  assert.is(real['file'], 0);
  assert.is(real['anon'], 28037120);
  assert.is(real['inactive_file'], 0);
  assert.is(real['inactive_anon'], 28016640);
  assert.equal({ ...parseFlatKeyed(fx(`${V2}/memory.events`)) }, { low: 0, high: 0, max: 0, oom: 0, oom_kill: 0, oom_group_kill: 0 });
  assert.equal(
    { ...parseFlatKeyed(fx('cgroup-v2/raw/oom/memory.events.after')) },
    { low: 0, high: 0, max: 21, oom: 1, oom_kill: 1, oom_group_kill: 0 },
  );
  assert.equal({ ...parseFlatKeyed(fx('cgroup-v2/raw/pids/pids.events')) }, { max: 1 });
  assert.equal({ ...parseFlatKeyed('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n') }, { oom_kill_disable: 0, under_oom: 0, oom_kill: 3 });
  assert.equal({ ...parseFlatKeyed('') }, {});
  assert.equal({ ...parseFlatKeyed('usage_usec 5 \n') }, { usage_usec: 5 }, 'a trailing space is ignored');
  const proto = parseFlatKeyed('__proto__ 1\nconstructor 2\n');
  assert.is(proto['__proto__'], 1);
  assert.is(proto['constructor'], 2);
});

test('flat keyed: malformed lines name the file and line', () => {
  parseError(() => parseFlatKeyed('a 1\nb\n', 'memory.stat'), 'memory.stat', 2);
  parseError(() => parseFlatKeyed('a 1\nb x\n', 'memory.stat'), 'memory.stat', 2);
  parseError(() => parseFlatKeyed('a 1\na 2\n', 'memory.stat'), 'memory.stat', 2);
  parseError(() => parseFlatKeyed('a 1 2\n', 'cpu.stat'), 'cpu.stat', 1);
});

test('nested keyed: io.stat, io.max with max, unknown fields kept', () => {
  const io = parseIoStat(fx(`${V2}/io.stat`));
  assert.equal(
    io.map(({ fields: _, ...d }) => d),
    [{ major: 254, minor: 0, readBytes: 16777216, writeBytes: 8388608, readOps: 16, writeOps: 8 }],
  );
  assert.is(io[0]!.fields['dbytes'], 0);
  const max = parseNestedKeyed(fx(`${V2}/io.max`), 'io.max');
  assert.equal(
    max.map((l) => ({ key: l.key, values: { ...l.values } })),
    [{ key: '254:0', values: { rbps: 8388608, wbps: 4194304, riops: null, wiops: null } }],
  );
  const cost = parseIoStat('8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0 cost.vrate=100.00 cost.usage=5\n');
  assert.is(cost[0]!.fields['cost.vrate'], 100);
  assert.equal(parseIoStat(''), []);
  parseError(() => parseIoStat('sda rbytes=1\n', 'io.stat'), 'io.stat', 1);
  parseError(() => parseNestedKeyed('8:0 rbytes\n', 'io.stat'), 'io.stat', 1);
  parseError(() => parseNestedKeyed('8:0 rbytes=x\n', 'io.stat'), 'io.stat', 1);
});

test('pressure (PSI): averages in percent, total converted from us to ns', () => {
  const p = parsePressure(fx(`${V2}/cpu.pressure`), 'cpu.pressure');
  assert.equal(p.some, { avg10: 8.51, avg60: 1.53, avg300: 0.32, totalNs: 1548370000 });
  assert.equal(p.full, { avg10: 8.51, avg60: 1.53, avg300: 0.32, totalNs: 1536566000 });
  assert.is(parsePressure(fx(`${HY}/unified/io.pressure`)).full!.totalNs, 913291000);
  assert.not.ok('full' in parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n'), 'cpu.pressure before 5.13 has no full line');
  parseError(() => parsePressure('', 'cpu.pressure'), 'cpu.pressure', 0);
  parseError(() => parsePressure('some avg10=1.00\n', 'cpu.pressure'), 'cpu.pressure', 1);
});

test('cpu lists', () => {
  assert.equal(parseCpuList(fx('cgroup-v2/host/sys/fs/cgroup/cpuset.cpus.effective')), [0, 1]);
  assert.equal(parseCpuList('0-3,8,10-11\n'), [0, 1, 2, 3, 8, 10, 11]);
  assert.equal(parseCpuList('\n'), []);
  assert.equal(parseCpuList(''), []);
  parseError(() => parseCpuList('3-1\n', 'cpuset.cpus'), 'cpuset.cpus', 1);
  parseError(() => parseCpuList('0-4000000000\n', 'cpuset.cpus'), 'cpuset.cpus', 1);
  parseError(() => parseCpuList('0,,1\n', 'cpuset.cpus'), 'cpuset.cpus', 1);
});

test('cpuacct: usage_percpu with its trailing space, usage_all, stat ticks to ns', () => {
  assert.equal(parseCpuacctUsagePercpu(fx(`${HY}/cpuacct/cpuacct.usage_percpu`)), [44119833070, 53565582810]);
  assert.equal(parseCpuacctUsageAll(fx(`${HY}/cpuacct/cpuacct.usage_all`)), [
    { cpu: 0, userNs: 24660755525, systemNs: 17463294044 },
    { cpu: 1, userNs: 30362797960, systemNs: 21387412486 },
  ]);
  assert.equal(parseCpuacctStat(fx(`${HY}/cpuacct/cpuacct.stat`)), { userNs: 57_290_000_000, systemNs: 40_430_000_000 });
  parseError(() => parseCpuacctStat('user 1\n', 'cpuacct.stat'), 'cpuacct.stat', 0);
  parseError(() => parseCpuacctUsageAll('', 'cpuacct.usage_all'), 'cpuacct.usage_all', 0);
  parseError(() => parseCpuacctUsageAll('cpu user system\n0 1\n', 'cpuacct.usage_all'), 'cpuacct.usage_all', 2);
});

test('blkio throttle statistics and limits', () => {
  const s = parseBlkioStat(
    '254:0 Read 0\n254:0 Write 8388608\n254:0 Sync 8388608\n254:0 Async 0\n254:0 Discard 0\n254:0 Total 8388608\nTotal 8388608\n',
  );
  assert.is(s.total, 8388608);
  assert.is(s.devices.length, 1);
  assert.equal({ ...s.devices[0]!.ops }, { Read: 0, Write: 8388608, Sync: 8388608, Async: 0, Discard: 0, Total: 8388608 });
  assert.equal(parseBlkioStat('Total 0\n'), { devices: [], total: 0 });
  assert.equal(parseBlkioLimits('254:0 1073741824\n'), [{ major: 254, minor: 0, value: 1073741824 }]);
  assert.equal(parseBlkioLimits(''), []);
  parseError(() => parseBlkioStat('254:0 Read\n', 'blkio.throttle.io_serviced'), 'blkio.throttle.io_serviced', 1);
});

test('/proc/PID/cgroup: hybrid lines, named hierarchies, ":" inside paths', () => {
  const h = parseProcCgroup(fx('hybrid/proc/self/cgroup'));
  assert.is(h.length, 10);
  assert.equal(h[0], { hierarchyId: 9, controllers: ['name=systemd'], path: '/' });
  assert.equal(h[5], { hierarchyId: 4, controllers: ['memory'], path: '/session/f4baa9e21f34c5751a7f6b045fcc7f00' });
  assert.equal(h[9], { hierarchyId: 0, controllers: [], path: '/' });
  assert.equal(parseProcCgroup('5:cpu,cpuacct:/kubepods/pod1/cri-containerd:abc:def\n'), [
    { hierarchyId: 5, controllers: ['cpu', 'cpuacct'], path: '/kubepods/pod1/cri-containerd:abc:def' },
  ]);
  assert.equal(parseProcCgroup('0::/system.slice/docker-1.scope\n'), [
    { hierarchyId: 0, controllers: [], path: '/system.slice/docker-1.scope' },
  ]);
  assert.equal(parseProcCgroup('0::/../../outside\n')[0]!.path, '/../../outside');
  parseError(() => parseProcCgroup('', '/proc/1/cgroup'), '/proc/1/cgroup', 0);
  parseError(() => parseProcCgroup('0::/\n4:memory\n', '/proc/1/cgroup'), '/proc/1/cgroup', 2);
  parseError(() => parseProcCgroup('x:cpu:/\n', '/proc/1/cgroup'), '/proc/1/cgroup', 1);
});

test('mountinfo: captured hybrid table, \\040 and other escapes, optional fields', () => {
  const m = parseMountinfo(fx('hybrid/proc/self/mountinfo'));
  const cpu = m.find((x) => x.mountPoint === '/sys/fs/cgroup/cpu')!;
  assert.equal([cpu.fsType, cpu.root, cpu.superOptions], ['cgroup', '/', ['rw', 'cpu']]);
  const netns = m.find((x) => x.mountPoint === '/run/netns')!;
  assert.equal(netns.optionalFields, ['shared:1']);
  assert.is(netns.major, 254);
  const esc = parseMountinfo(
    '50 31 0:40 /a\\040b\\134c /mnt/with\\040space\\011tab rw shared:5 master:2 - cgroup cg\\040src rw,name=my\\040h\n',
  );
  assert.is(esc[0]!.root, '/a b\\c');
  assert.is(esc[0]!.mountPoint, '/mnt/with space\ttab');
  assert.equal(esc[0]!.optionalFields, ['shared:5', 'master:2']);
  assert.is(esc[0]!.source, 'cg src');
  assert.equal(esc[0]!.superOptions, ['rw', 'name=my h']);
  assert.is(unescapeMountField('\\012'), '\n');
  parseError(() => parseMountinfo('', 'mountinfo'), 'mountinfo', 0);
  parseError(() => parseMountinfo('22 27 0:21 / /proc rw,relatime proc proc rw\n', 'mountinfo'), 'mountinfo', 1);
  parseError(
    () => parseMountinfo('22 27 0:21 / /proc rw - proc proc rw\n23 27 x / /sys rw - sysfs sysfs rw\n', 'mountinfo'),
    'mountinfo',
    2,
  );
});

test.run();
