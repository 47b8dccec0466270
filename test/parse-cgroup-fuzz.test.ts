// Fuzzing the cgroup parsers: random text and mutated real captures give a value or a ParseError,
// never any other exception (no TypeError from a missing field, no RangeError from a huge range).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ParseError } from '../lib/errors.js';
import { parseBlkioLimits, parseBlkioStat } from '../lib/parse/blkio.js';
import { parseCpuList } from '../lib/parse/cpu-list.js';
import { parseCpuMax } from '../lib/parse/cpu-max.js';
import { parseCpuacctStat, parseCpuacctUsageAll, parseCpuacctUsagePercpu } from '../lib/parse/cpuacct.js';
import { parseFlatKeyed } from '../lib/parse/flat-keyed.js';
import { parseIoStat } from '../lib/parse/io-stat.js';
import { parseMountinfo } from '../lib/parse/mountinfo.js';
import { parseNestedKeyed } from '../lib/parse/nested-keyed.js';
import { parsePressure } from '../lib/parse/pressure.js';
import { parseProcCgroup } from '../lib/parse/proc-cgroup.js';
import { parseLimit, parseSingleValue } from '../lib/parse/single-value.js';

const RUNS = Number(process.env.NSJOIN_FUZZ_RUNS ?? 2000);

/** Every parser with the real text it is meant for (mutations start from these). */
const parsers: Record<string, [(text: string) => unknown, string[]]> = {};

const root = fileURLToPath(new URL('./fixtures/', import.meta.url));
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const files = [...walk(join(root, 'cgroup-v2')), ...walk(join(root, 'hybrid'))].filter((p) => !p.endsWith('.md'));
const byName = (re: RegExp): string[] => files.filter((p) => re.test(p)).map((p) => readFileSync(p, 'utf8'));

parsers['flat keyed'] = [parseFlatKeyed, byName(/(memory\.stat|cpu\.stat|\.events(\.\w+)?|cgroup\.stat|cpuacct\.stat)$/)];
parsers['nested keyed'] = [parseNestedKeyed, byName(/(io\.stat|io\.max|(cpu|memory|io)\.pressure)$/)];
parsers['io.stat'] = [parseIoStat, byName(/io\.stat$/)];
parsers['pressure'] = [parsePressure, byName(/(cpu|memory|io)\.pressure$/)];
parsers['single value'] = [parseSingleValue, byName(/(memory\.current|pids\.current|cpu\.weight|memory\.peak)$/)];
parsers['limit'] = [parseLimit, [...byName(/(memory\.max|pids\.max|memory\.high)$/), '9223372036854771712\n', '-1\n']];
parsers['cpu.max'] = [parseCpuMax, byName(/cpu\.max$/)];
parsers['cpu list'] = [parseCpuList, [...byName(/cpus\.effective$/), '0-3,8,10-11\n']];
parsers['cpuacct.usage_percpu'] = [parseCpuacctUsagePercpu, byName(/usage_percpu$/)];
parsers['cpuacct.usage_all'] = [parseCpuacctUsageAll, byName(/usage_all$/)];
parsers['cpuacct.stat'] = [parseCpuacctStat, byName(/cpuacct\.stat$/)];
parsers['blkio stat'] = [parseBlkioStat, ['254:0 Read 0\n254:0 Write 8388608\n254:0 Sync 8388608\n254:0 Async 0\n254:0 Discard 0\n254:0 Total 8388608\nTotal 8388608\n']];
parsers['blkio limits'] = [parseBlkioLimits, ['254:0 1073741824\n8:16 100\n']];
parsers['/proc/PID/cgroup'] = [parseProcCgroup, byName(/\/cgroup$/)];
parsers['mountinfo'] = [parseMountinfo, byName(/mountinfo$/)];

const edit = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('insert', 'delete', 'replace'),
  text: fc.oneof(fc.constantFrom(' ', '\n', ':', '=', '-', '\\040', 'max', '-1', '18446744073709551615', '__proto__', '\t', ''), fc.string({ maxLength: 4 })),
});

function mutate(base: string, edits: { at: number; op: string; text: string }[]): string {
  let s = base;
  for (const e of edits) {
    const at = s.length === 0 ? 0 : e.at % (s.length + 1);
    if (e.op === 'insert') s = s.slice(0, at) + e.text + s.slice(at);
    else if (e.op === 'delete') s = s.slice(0, at) + s.slice(at + 1 + (e.text.length % 3));
    else s = s.slice(0, at) + e.text + s.slice(at + e.text.length);
  }
  return s;
}

function onlyParseErrors(parse: (text: string) => unknown, text: string): boolean {
  try {
    parse(text);
  } catch (err) {
    if (err instanceof ParseError) return true;
    throw err;
  }
  return true;
}

for (const [name, [parse, samples]] of Object.entries(parsers)) {
  test(`${name}: real captures parse`, () => {
    assert.ok(samples.length > 0, 'has samples');
    for (const s of samples) parse(s);
  });
  test(`${name}: random text gives a value or a ParseError`, () => {
    fc.assert(fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (t) => onlyParseErrors(parse, t)), { numRuns: RUNS / 2 });
  });
  test(`${name}: mutated captures give a value or a ParseError`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.array(edit, { minLength: 1, maxLength: 6 }), (base, edits) => onlyParseErrors(parse, mutate(base, edits))),
      { numRuns: RUNS },
    );
  });
}

test.run();
