// Fuzzing the cgroup parsers, in two kinds kept apart:
// - valid input must parse: every real capture under test/fixtures/ (this host, docker/podman hosts,
//   the v2 VM, test/fixtures/captures/), and text generated the way the kernel prints it
//   (test/helpers/valid-text.ts). A ParseError here fails: the parser rejects what a real host prints.
// - random text and mutated captures (valid input made, mostly, invalid) give a value or a
//   ParseError, never any other exception (no TypeError from a missing field, no RangeError).
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ParseError } from '../lib/errors.js';
import { FILE_PARSERS } from './helpers/file-parsers.js';
import * as gen from './helpers/valid-text.js';

const RUNS = Number(process.env.NSJOIN_FUZZ_RUNS ?? 2000);

/** Every parser: the files it is for, and extra real text (mutations start from both). */
const extra: Record<string, string[]> = {
  limit: ['9223372036854771712\n', '-1\n'],
  'cpu list': ['0-3,8,10-11\n'],
  // With non-zero counts (the captured container did no block IO: its files say Total 0).
  'blkio stat': [
    '254:0 Read 0\n254:0 Write 8388608\n254:0 Sync 8388608\n254:0 Async 0\n254:0 Discard 0\n254:0 Total 8388608\nTotal 8388608\n',
  ],
  'blkio limits': ['254:0 1073741824\n8:16 100\n'],
};
const parsers: Record<string, [(text: string) => unknown, RegExp, string[]]> = {
  ...Object.fromEntries(Object.entries(FILE_PARSERS).map(([name, [parse, re]]) => [name, [parse, re, extra[name] ?? []]])),
};

const root = fileURLToPath(new URL('./fixtures/', import.meta.url));
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    const st = lstatSync(p); // symlinks (captured ns/* links) are not text to parse
    return st.isDirectory() ? walk(p) : st.isFile() ? [p] : [];
  });
}
const files = walk(root).filter((p) => !p.endsWith('.md'));
/** Fixtures that are bad input on purpose (each must give a ParseError); every other file is valid. */
const BAD_ON_PURPOSE = ['containers/scan/proc/131/cgroup'];
const isBad = (p: string): boolean => BAD_ON_PURPOSE.some((b) => p.endsWith(`/${b}`));
const samplesOf = ([, re, extra]: (typeof parsers)[string]): string[] => [
  ...files.filter((p) => re.test(p) && !isBad(p)).map((p) => readFileSync(p, 'utf8')),
  ...extra,
];

/** Text the kernel can print, per parser: must parse. */
const valid: Record<string, fc.Arbitrary<string>> = {
  'flat keyed': gen.flatKeyed,
  'nested keyed': gen.ioStat,
  'io.stat': gen.ioStat,
  pressure: gen.pressure,
  'single value': gen.singleValue,
  limit: gen.limit,
  'cpu.max': gen.cpuMax,
  'cpu list': gen.cpuList,
  '/proc/PID/cgroup': gen.procCgroup,
  mountinfo: gen.mountinfo,
  'net/dev': gen.netDev,
};

test('every capture under test/fixtures/ parses; the bad-on-purpose ones give a ParseError', () => {
  let checked = 0;
  for (const [parse, re] of Object.values(parsers)) {
    for (const f of files.filter((p) => re.test(p))) {
      const text = readFileSync(f, 'utf8');
      const where = f.slice(root.length);
      if (isBad(f))
        assert.throws(
          () => parse(text),
          (e: unknown) => e instanceof ParseError,
          where,
        );
      else
        try {
          parse(text);
        } catch (e) {
          assert.unreachable(`${where}: ${(e as Error).message}`);
        }
      checked++;
    }
  }
  for (const b of BAD_ON_PURPOSE)
    assert.ok(
      files.some((p) => p.endsWith(`/${b}`)),
      `${b} exists`,
    );
  console.log(`  ${checked} captured files parsed`);
  assert.ok(checked > 150, `only ${checked} files`);
});

const edit = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('insert', 'delete', 'replace'),
  text: fc.oneof(
    fc.constantFrom(' ', '\n', ':', '=', '-', '\\040', 'max', '-1', '18446744073709551615', '__proto__', '\t', ''),
    fc.string({ maxLength: 4 }),
  ),
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

for (const [name, spec] of Object.entries(parsers)) {
  const [parse] = spec;
  const samples = samplesOf(spec);
  test(`${name}: has real captures to mutate`, () => {
    assert.ok(samples.length > 0, 'has samples');
  });
  test(`${name}: random text gives a value or a ParseError`, () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (t) => onlyParseErrors(parse, t)),
      { numRuns: RUNS / 2 },
    );
  });
  if (valid[name]) {
    test(`${name}: text the kernel can print parses (a ParseError fails)`, () => {
      fc.assert(
        fc.property(valid[name]!, (t) => {
          parse(t);
        }),
        { numRuns: RUNS / 2 },
      );
    });
  }
  test(`${name}: mutated captures (valid made invalid) give a value or a ParseError`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.array(edit, { minLength: 1, maxLength: 6 }), (base, edits) =>
        onlyParseErrors(parse, mutate(base, edits)),
      ),
      { numRuns: RUNS },
    );
  });
}

test.run();
