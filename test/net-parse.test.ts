import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ParseError } from '../lib/errors.js';
import { formatNetDev, parseNetDev, NETDEV_RX_FIELDS, NETDEV_TX_FIELDS, type NetDevice } from '../lib/parse/netdev.js';

const RUNS = Number(process.env.NSJOIN_FUZZ_RUNS ?? 300);
const capture = readFileSync(new URL('./fixtures/net/proc_net_dev-linux-6.18', import.meta.url), 'utf8');
const live = readFileSync('/proc/net/dev', 'utf8');
const HEAD = capture.split('\n').slice(0, 2).join('\n') + '\n';
const zeros = (n: number) => Array(n).fill('0').join(' ');

function parseError(fn: () => unknown, line: number, text?: RegExp): ParseError {
  try {
    fn();
  } catch (err) {
    assert.instance(err, ParseError);
    const e = err as ParseError;
    assert.is(e.line, line, `line of: ${e.message}`);
    if (text) assert.match(e.message, text);
    return e;
  }
  throw new assert.Assertion({
    message: 'expected a ParseError',
    generated: false,
    operator: 'throws',
    expects: 'ParseError',
    actual: 'no error',
  });
}

test('a capture from Linux 6.18: every device, every column in place', () => {
  const devs = parseNetDev(capture);
  assert.equal(
    devs.map((d) => d.name),
    ['lo', 'ifb0', 'ifb1', 'eth0'],
  );
  const eth0 = devs[3]!;
  assert.equal(eth0.rx, { bytes: 185072208, packets: 5402, errs: 0, drop: 0, fifo: 0, frame: 0, compressed: 0, multicast: 0 });
  assert.equal(eth0.tx, { bytes: 345853, packets: 3169, errs: 0, drop: 0, fifo: 0, colls: 0, carrier: 0, compressed: 0 });
  assert.equal(devs[0]!.rx.bytes, 3193);
  assert.equal(devs[0]!.tx.packets, 29);
});

test('this kernel: /proc/net/dev parses and formatNetDev reproduces it byte for byte', () => {
  const devs = parseNetDev(live);
  assert.ok(devs.some((d) => d.name === 'lo'));
  assert.is(formatNetDev(devs), live);
  assert.is(formatNetDev(parseNetDev(capture)), capture);
});

test('each column lands in its own field (distinct values)', () => {
  const line = `  eth1: ${Array.from({ length: 16 }, (_, i) => String(i + 1)).join(' ')}\n`;
  const [d] = parseNetDev(HEAD + line);
  NETDEV_RX_FIELDS.forEach((k, i) => assert.is(d!.rx[k], i + 1, `rx.${k}`));
  NETDEV_TX_FIELDS.forEach((k, i) => assert.is(d!.tx[k], 9 + i, `tx.${k}`));
});

test('old kernels glue the name to the first counter', () => {
  const text = `${HEAD}    lo:1234 10 0 0 0 0 0 0 1234 10 0 0 0 0 0 0\n  eth0:4046496815 7461387    0    0    0     0          0         0 4046496815 7461387    0    0    0     0       0          0\n`;
  const devs = parseNetDev(text);
  assert.equal(
    devs.map((d) => [d.name, d.rx.bytes, d.rx.packets, d.tx.bytes]),
    [
      ['lo', 1234, 10, 1234],
      ['eth0', 4046496815, 7461387, 4046496815],
    ],
  );
});

test('alias names keep their colon, also glued', () => {
  const devs = parseNetDev(`${HEAD}team0:1: 5 ${zeros(15)}\nteam0:2:77 ${zeros(15)}\n`);
  assert.equal(
    devs.map((d) => [d.name, d.rx.bytes]),
    [
      ['team0:1', 5],
      ['team0:2', 77],
    ],
  );
});

test('names of 15 characters parse; 16 is no kernel name', () => {
  assert.is(parseNetDev(`${HEAD}abcdefghijklmno: ${zeros(16)}\n`)[0]!.name, 'abcdefghijklmno');
  parseError(() => parseNetDev(`${HEAD}abcdefghijklmnop: ${zeros(16)}\n`), 3, /name/);
});

test('a missing final newline and blank lines change nothing', () => {
  assert.equal(parseNetDev(capture.replace(/\n$/, '')), parseNetDev(capture));
  assert.equal(parseNetDev(capture + '\n\n'), parseNetDev(capture));
  assert.equal(parseNetDev(HEAD), []);
  assert.equal(parseNetDev(HEAD.trimEnd()), []);
});

test('u64 counters: 2^64-1 parses (rounded, as documented), 2^64 does not', () => {
  const [d] = parseNetDev(`${HEAD}  eth0: 18446744073709551615 9007199254740993 ${zeros(14)}\n`);
  assert.is(d!.rx.bytes, 2 ** 64);
  assert.is(d!.rx.packets, 2 ** 53); // precision lost above 2^53
  parseError(() => parseNetDev(`${HEAD}  eth0: 18446744073709551616 ${zeros(15)}\n`), 3, /u64/);
  parseError(() => parseNetDev(`${HEAD}  eth0: 100000000000000000000 ${zeros(15)}\n`), 3, /u64/);
});

test('the wrong number of counters is a ParseError naming the line, never shifted counters', () => {
  const lines = capture.split('\n');
  const short = [...lines.slice(0, 4), lines[4]!.replace(/ 0\s*$/, ''), ...lines.slice(5)].join('\n');
  parseError(() => parseNetDev(short, '/proc/7/net/dev'), 5, /^\/proc\/7\/net\/dev:5: expected 16 counters for ifb1, got 15/);
  const long = [...lines.slice(0, 5), lines[5] + ' 0', ...lines.slice(6)].join('\n');
  parseError(() => parseNetDev(long), 6, /expected 16 counters for eth0, got 17/);
  parseError(() => parseNetDev(`${HEAD}  eth0:\n`), 3, /got 0/);
});

test('bad lines: no colon, no name, bad counters, missing header, empty text', () => {
  parseError(() => parseNetDev(`${HEAD}  eth0 ${zeros(16)}\n`), 3, /no ':'/);
  parseError(() => parseNetDev(`${HEAD}   : ${zeros(16)}\n`), 3, /name/);
  parseError(() => parseNetDev(`${HEAD}  eth0: -1 ${zeros(15)}\n`), 3, /u64/);
  parseError(() => parseNetDev(`${HEAD}  eth0: 1.5 ${zeros(15)}\n`), 3, /u64/);
  parseError(() => parseNetDev(`${HEAD}  eth0: 0x10 ${zeros(15)}\n`), 3, /u64/);
  parseError(() => parseNetDev(`${HEAD}  e th0: ${zeros(16)}\n`), 3, /name/);
  parseError(() => parseNetDev(capture.split('\n').slice(1).join('\n')), 1, /header/);
  parseError(() => parseNetDev(''), 0);
  parseError(() => parseNetDev('x'), 1);
});

// Fuzzing: whatever the input, the parser returns well-formed devices or throws ParseError.
function wellFormed(devs: NetDevice[]): void {
  for (const d of devs) {
    assert.ok(d.name.length >= 1 && d.name.length <= 15 && !/\s/.test(d.name), `name ${JSON.stringify(d.name)}`);
    for (const v of [...Object.values(d.rx), ...Object.values(d.tx)]) assert.ok(Number.isFinite(v) && v >= 0 && Number.isInteger(v));
    assert.is(Object.keys(d.rx).length + Object.keys(d.tx).length, 16);
  }
}
function valuesOrParseError(text: string): void {
  let devs: NetDevice[];
  try {
    devs = parseNetDev(text);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    return;
  }
  wellFormed(devs);
}

const pieces = fc.constantFrom(':', ' ', '\n', '|', '0', '9', '-', 'a', '\t', '', '18446744073709551616', 'eth0:', '\u00e9', '\r');
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), piece: pieces }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), piece: pieces }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dupline' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;
function mutate(text: string, ms: Mutation[]): string {
  for (const m of ms) {
    const at = text.length === 0 ? 0 : m.at % (text.length + 1);
    if (m.kind === 'insert') text = text.slice(0, at) + m.piece + text.slice(at);
    else if (m.kind === 'delete') text = text.slice(0, at) + text.slice(at + m.len);
    else if (m.kind === 'replace') text = text.slice(0, at) + m.piece + text.slice(at + 1);
    else if (m.kind === 'truncate') text = text.slice(0, at);
    else {
      const lines = text.split('\n');
      const i = m.at % lines.length;
      lines.splice(i, 0, lines[i]!);
      text = lines.join('\n');
    }
  }
  return text;
}

test('fuzz: random text gives values or ParseError', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), valuesOrParseError), { numRuns: RUNS });
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: fc.constantFrom(...'lo eth0:|123456789\n '.split('')), maxLength: 120 }), { maxLength: 6 }),
      (parts) => valuesOrParseError(HEAD + parts.join('\n')),
    ),
    { numRuns: RUNS },
  );
});

test('fuzz: mutated real captures give values or ParseError', () => {
  fc.assert(
    fc.property(fc.constantFrom(capture, live), fc.array(mutation, { minLength: 1, maxLength: 6 }), (text, ms) =>
      valuesOrParseError(mutate(text, ms)),
    ),
    { numRuns: RUNS * 3 },
  );
});

test('fuzz: a line that lost or gained a counter is always a ParseError on that line', () => {
  fc.assert(
    fc.property(fc.constantFrom(capture, live), fc.nat(), fc.nat(), fc.boolean(), (text, lineSeed, tokenSeed, drop) => {
      const lines = text.replace(/\n$/, '').split('\n');
      const i = 2 + (lineSeed % (lines.length - 2));
      const [name, rest] = [lines[i]!.slice(0, lines[i]!.lastIndexOf(':') + 1), lines[i]!.slice(lines[i]!.lastIndexOf(':') + 1)];
      const tokens = rest.trim().split(/\s+/);
      if (drop) tokens.splice(tokenSeed % 16, 1);
      else tokens.splice(tokenSeed % 17, 0, String(tokenSeed));
      lines[i] = `${name} ${tokens.join(' ')}`;
      parseError(() => parseNetDev(lines.join('\n')), i + 1, /expected 16 counters/);
    }),
    { numRuns: RUNS },
  );
});

test('fuzz: formatNetDev then parseNetDev gives the devices back', () => {
  const counter = fc.maxSafeNat();
  const name = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_-.@:'.split('')), minLength: 1, maxLength: 15 });
  const dev = fc.record({
    name,
    rx: fc.record(
      Object.fromEntries(NETDEV_RX_FIELDS.map((k) => [k, counter])) as Record<(typeof NETDEV_RX_FIELDS)[number], fc.Arbitrary<number>>,
    ),
    tx: fc.record(
      Object.fromEntries(NETDEV_TX_FIELDS.map((k) => [k, counter])) as Record<(typeof NETDEV_TX_FIELDS)[number], fc.Arbitrary<number>>,
    ),
  });
  fc.assert(
    fc.property(fc.array(dev, { maxLength: 8 }), (devs) => {
      const plain = devs.map((d) => ({ name: d.name, rx: { ...d.rx }, tx: { ...d.tx } })); // fast-check may make null-prototype records
      assert.equal(parseNetDev(formatNetDev(devs)), plain);
    }),
    { numRuns: RUNS },
  );
});

test.run();
