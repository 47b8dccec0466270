// Every parser in lib/parse/ against random text and mutated real captures (test/fixtures/):
// each case gives a value or a ParseError, never another exception, and each finishes within a
// bound of CPU time (a regular expression that backtracks without end would show here). Valid input
// apart: every capture and every text the kernel can print (test/helpers/valid-text.ts) must parse.
// The total (>= 100,000 in CI) and the time are printed for the README.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ParseError } from '../../lib/errors.js';
import { parseBlkioLimits, parseBlkioStat } from '../../lib/parse/blkio.js';
import { parseContainerCgroup } from '../../lib/parse/container-id.js';
import { parseCpuList } from '../../lib/parse/cpu-list.js';
import { parseCpuMax } from '../../lib/parse/cpu-max.js';
import { parseCpuacctStat, parseCpuacctUsageAll, parseCpuacctUsagePercpu } from '../../lib/parse/cpuacct.js';
import { parseFlatKeyed } from '../../lib/parse/flat-keyed.js';
import { parseIoStat } from '../../lib/parse/io-stat.js';
import { parseMountinfo, unescapeMountField } from '../../lib/parse/mountinfo.js';
import { parseDeviceKey, parseNestedKeyed } from '../../lib/parse/nested-keyed.js';
import { formatNetDev, parseNetDev } from '../../lib/parse/netdev.js';
import { parsePressure } from '../../lib/parse/pressure.js';
import { parseProcCgroup } from '../../lib/parse/proc-cgroup.js';
import { parseLimit, parseSingleValue } from '../../lib/parse/single-value.js';
import * as gen from '../helpers/valid-text.js';

const TOTAL = Number(process.env.NSJOIN_PARSE_FUZZ_CASES ?? 210_000);
/** Longest a single case may take; a case is at most a few KiB of text. */
const CASE_MS = Number(process.env.NSJOIN_PARSE_CASE_MS ?? 250);

const root = fileURLToPath(new URL('../fixtures/', import.meta.url));
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    const st = lstatSync(p); // symlinks (captured ns/* links) are not text to parse
    return st.isDirectory() ? walk(p) : st.isFile() ? [p] : [];
  });
}
// containers/scan/proc/131/cgroup is malformed on purpose (the scan must skip it).
const files = walk(root).filter((p) => !p.endsWith('.md') && !p.endsWith('containers/scan/proc/131/cgroup'));
const byName = (re: RegExp): string[] =>
  files
    .filter((p) => re.test(p))
    .map((p) => readFileSync(p, 'utf8'))
    .filter((t) => t.length < 64 * 1024);
const or = (found: string[], fallback: string[]) => (found.length ? found : fallback);

/** Every parser, with the real text it is meant for. */
const parsers: Array<[string, (text: string) => unknown, string[]]> = [
  ['flat keyed', parseFlatKeyed, byName(/(memory\.stat|cpu\.stat|\.events(\.\w+)?|cgroup\.stat|cpuacct\.stat)$/)],
  ['nested keyed', parseNestedKeyed, byName(/(io\.stat|io\.max|(cpu|memory|io)\.pressure)$/)],
  ['io.stat', parseIoStat, or(byName(/io\.stat$/), ['8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0\n'])],
  ['pressure', parsePressure, byName(/(cpu|memory|io)\.pressure$/)],
  ['single value', parseSingleValue, byName(/(memory\.current|pids\.current|cpu\.weight|memory\.peak)$/)],
  ['limit', parseLimit, [...byName(/(memory\.max|pids\.max|memory\.high)$/), '9223372036854771712\n', '-1\n', 'max\n']],
  ['cpu.max', parseCpuMax, or(byName(/cpu\.max$/), ['max 100000\n', '50000 100000\n'])],
  ['cpu list', parseCpuList, [...byName(/cpus(\.effective)?$/), '0-3,8,10-11\n']],
  ['cpuacct.usage_percpu', parseCpuacctUsagePercpu, or(byName(/usage_percpu$/), ['1 2 3 \n'])],
  ['cpuacct.usage_all', parseCpuacctUsageAll, or(byName(/usage_all$/), ['cpu user system\n0 1 2\n1 3 4\n'])],
  ['cpuacct.stat', parseCpuacctStat, or(byName(/cpuacct\.stat$/), ['user 1\nsystem 2\n'])],
  [
    'blkio stat',
    parseBlkioStat,
    ['254:0 Read 0\n254:0 Write 8388608\n254:0 Sync 8388608\n254:0 Async 0\n254:0 Discard 0\n254:0 Total 8388608\nTotal 8388608\n'],
  ],
  ['blkio limits', parseBlkioLimits, ['254:0 1073741824\n8:16 100\n']],
  ['/proc/PID/cgroup', parseProcCgroup, byName(/\/cgroup$/)],
  ['mountinfo', parseMountinfo, byName(/mountinfo$/)],
  ['net/dev', parseNetDev, byName(/(net\/dev|proc_net_dev[^/]*)$/)],
  ['net/dev round trip', (text) => parseNetDev(formatNetDev(parseNetDev(text))), byName(/(net\/dev|proc_net_dev[^/]*)$/)],
  ['mount field unescape', unescapeMountField, ['/a\\040b\\011c\\134d', '\\\\\\0']],
  ['device key', (text) => parseDeviceKey(text, 'io.stat', 1), ['8:0', '254:16']],
  [
    'container cgroup path',
    (text) => parseContainerCgroup(text),
    [
      ...byName(/\/cgroup$/).flatMap((t) => t.split('\n').map((l) => l.split(':').slice(2).join(':'))),
      '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0e7b2f6a_91c4_4d5e_8f3a_2b1c9d8e7f60.slice/cri-containerd-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope',
      '/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    ],
  ],
];

const edit = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('insert', 'delete', 'replace', 'duplicate-line', 'truncate'),
  text: fc.oneof(
    fc.constantFrom(
      ' ',
      '\n',
      ':',
      '=',
      '-',
      ',',
      '\\040',
      '\\',
      'max',
      '-1',
      '0',
      '18446744073709551615',
      '9'.repeat(400),
      '__proto__',
      'constructor',
      '\t',
      '\0',
      '\r\n',
      ' - ',
      'some=1',
      '\u00e9',
      '\ud800',
    ),
    fc.string({ maxLength: 6 }),
    fc.string({ unit: 'binary', maxLength: 6 }),
  ),
});
function mutate(base: string, edits: Array<{ at: number; op: string; text: string }>): string {
  let s = base;
  for (const e of edits) {
    const at = s.length === 0 ? 0 : e.at % (s.length + 1);
    if (e.op === 'insert') s = s.slice(0, at) + e.text + s.slice(at);
    else if (e.op === 'delete') s = s.slice(0, at) + s.slice(at + 1 + (e.text.length % 8));
    else if (e.op === 'replace') s = s.slice(0, at) + e.text + s.slice(at + e.text.length);
    else if (e.op === 'truncate') s = s.slice(0, at);
    else {
      const lines = s.split('\n');
      const i = e.at % lines.length;
      lines.splice(i, 0, lines[i]!);
      s = lines.join('\n');
    }
  }
  return s;
}
const randomText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .array(
      fc
        .array(
          fc.oneof(
            fc.stringMatching(/^[a-z_]{1,8}$/),
            fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
            fc.constantFrom('max', '-', ':', '=', '0:0'),
          ),
          { maxLength: 8 },
        )
        .map((w) => w.join(' ')),
      { maxLength: 12 },
    )
    .map((l) => `${l.join('\n')}\n`),
);

let slowest = 0;
/** CPU time of this process in ms: unlike the wall clock, waiting for a CPU on a loaded host does not count. */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
function check(name: string, parse: (t: string) => unknown, text: string): boolean {
  const start = cpuMs();
  try {
    parse(text);
  } catch (err) {
    if (!(err instanceof ParseError)) {
      throw new Error(`${name}: ${(err as Error)?.name}: ${(err as Error)?.message} on ${JSON.stringify(text.slice(0, 300))}`, {
        cause: err,
      });
    }
  }
  const ms = cpuMs() - start;
  slowest = Math.max(slowest, ms);
  if (ms > CASE_MS) throw new Error(`${name}: ${ms.toFixed(0)} ms on ${JSON.stringify(text.slice(0, 300))}`);
  return true;
}

let ran = 0;
const started = Date.now();
const perProperty = Math.ceil(TOTAL / (parsers.length * 2));
for (const [name, parse, samples] of parsers) {
  test(`${name}: ${perProperty} random and ${perProperty} mutated inputs give a value or a ParseError, each within ${CASE_MS} ms`, () => {
    // Every capture is valid input: a ParseError on one fails (test/parse-cgroup-fuzz.test.ts
    // names the file; the bad-input fixture is left out by name below).
    for (const s of samples) parse(s);
    const good = samples;
    assert.ok(good.length > 0, `no real capture for ${name}`);
    fc.assert(
      fc.property(randomText, (text) => {
        ran++;
        return check(name, parse, text);
      }),
      { numRuns: perProperty },
    );
    fc.assert(
      fc.property(fc.constantFrom(...good), fc.array(edit, { minLength: 1, maxLength: 6 }), (base, edits) => {
        ran++;
        return check(name, parse, mutate(base, edits));
      }),
      { numRuns: perProperty },
    );
  });
}

/** Text the kernel can print (test/helpers/valid-text.ts): a ParseError on it fails. */
const valid: Array<[string, (t: string) => unknown, fc.Arbitrary<string>]> = [
  ['flat keyed', parseFlatKeyed, gen.flatKeyed],
  ['io.stat', parseIoStat, gen.ioStat],
  ['nested keyed', parseNestedKeyed, gen.ioStat],
  ['pressure', parsePressure, gen.pressure],
  ['single value', parseSingleValue, gen.singleValue],
  ['limit', parseLimit, gen.limit],
  ['cpu.max', parseCpuMax, gen.cpuMax],
  ['cpu list', parseCpuList, gen.cpuList],
  ['/proc/PID/cgroup', parseProcCgroup, gen.procCgroup],
  ['mountinfo', parseMountinfo, gen.mountinfo],
  ['net/dev', parseNetDev, gen.netDev],
];
for (const [name, parse, arb] of valid) {
  test(`${name}: ${perProperty} texts the kernel can print all parse`, () => {
    fc.assert(
      fc.property(arb, (text) => {
        ran++;
        parse(text);
      }),
      { numRuns: perProperty },
    );
  });
}

test('summary', () => {
  console.log(
    `# parse fuzz: ${ran} cases over ${parsers.length} parsers in ${((Date.now() - started) / 1000).toFixed(1)} s; slowest case ${slowest.toFixed(1)} ms`,
  );
  assert.ok(ran >= TOTAL);
});

test.run();
