// Which parser reads which kernel file, by the file's name: one table for the fuzz (every capture
// must parse) and the live-host test (every file of this host must parse).
import { parseBlkioLimits, parseBlkioStat } from '../../lib/parse/blkio.js';
import { parseCpuList } from '../../lib/parse/cpu-list.js';
import { parseCpuMax } from '../../lib/parse/cpu-max.js';
import { parseCpuacctStat, parseCpuacctUsageAll, parseCpuacctUsagePercpu } from '../../lib/parse/cpuacct.js';
import { parseFlatKeyed } from '../../lib/parse/flat-keyed.js';
import { parseIdMap } from '../../lib/parse/id-map.js';
import { parseIoStat } from '../../lib/parse/io-stat.js';
import { parseMeminfo } from '../../lib/parse/meminfo.js';
import { parseMountinfo } from '../../lib/parse/mountinfo.js';
import { parseNestedKeyed } from '../../lib/parse/nested-keyed.js';
import { parseNetDev } from '../../lib/parse/netdev.js';
import { parsePressure } from '../../lib/parse/pressure.js';
import { parseProcCgroup } from '../../lib/parse/proc-cgroup.js';
import { parseProcStat } from '../../lib/parse/proc-stat.js';
import { parseLimit, parseSingleValue } from '../../lib/parse/single-value.js';

/** Parser name -> the parser and the file names (paths ending so) it is for. */
export const FILE_PARSERS: Record<string, [(text: string) => unknown, RegExp]> = {
  'flat keyed': [parseFlatKeyed, /(memory\.stat|cpu\.stat|\.events(\.\w+)?|cgroup\.stat|cpuacct\.stat)$/],
  'nested keyed': [parseNestedKeyed, /(io\.stat|io\.max|(cpu|memory|io)\.pressure)$/],
  'io.stat': [parseIoStat, /io\.stat$/],
  pressure: [parsePressure, /(cpu|memory|io)\.pressure$/],
  'single value': [parseSingleValue, /(memory\.current|pids\.current|cpu\.weight|memory\.peak)$/],
  limit: [parseLimit, /(memory\.max|pids\.max|memory\.high)$/],
  'cpu.max': [parseCpuMax, /cpu\.max$/],
  'cpu list': [parseCpuList, /cpus\.effective$/],
  'cpuacct.usage_percpu': [parseCpuacctUsagePercpu, /usage_percpu$/],
  'cpuacct.usage_all': [parseCpuacctUsageAll, /usage_all$/],
  'cpuacct.stat': [parseCpuacctStat, /cpuacct\.stat$/],
  'blkio stat': [parseBlkioStat, /blkio\.(throttle\.)?io_service(d|_bytes)(_recursive)?$/],
  'blkio limits': [parseBlkioLimits, /blkio\.throttle\.(read|write)_(bps|iops)_device$/],
  '/proc/PID/cgroup': [parseProcCgroup, /\/cgroup$/],
  '/proc/PID/stat': [parseProcStat, /(\/\d+\/stat|\/proc\/stat-[\w-]+)$/],
  mountinfo: [parseMountinfo, /mountinfo$/],
  'net/dev': [parseNetDev, /(net\/dev|proc_net_dev[^/]*)$/],
  meminfo: [parseMeminfo, /\/meminfo$/],
  'uid_map/gid_map': [parseIdMap, /\/[ug]id_map(-host)?$/],
};

/** The parsers for a file at `path` (several may apply: io.stat is nested keyed too). */
export function parsersFor(path: string): Array<[string, (text: string) => unknown]> {
  return Object.entries(FILE_PARSERS)
    .filter(([, [, re]]) => re.test(path))
    .map(([name, [parse]]) => [name, parse]);
}
