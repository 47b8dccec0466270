// The parsers of per-process and host /proc files, on files captured from a real host
// (test/fixtures/proc/README.md) and on this machine's own.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ParseError } from '../lib/errors.js';
import { parseEnviron } from '../lib/parse/environ.js';
import { idMapper, mapIdInside, parseIdMap } from '../lib/parse/id-map.js';
import { parseMeminfo } from '../lib/parse/meminfo.js';

const fx = (name: string) => readFileSync(new URL(`./fixtures/proc/${name}`, import.meta.url), 'utf8');

test('meminfo: kB values in bytes, HugePages_* counts as they are, every key kept', () => {
  const m = parseMeminfo(fx('meminfo'));
  assert.is(m.MemTotal, 24683652 * 1024);
  assert.is(m.MemAvailable, 22942436 * 1024);
  assert.is(m.HugePages_Total, 0);
  assert.is(m.Hugepagesize, 2048 * 1024);
  assert.ok('Active(anon)' in m && 'DirectMap4k' in m);
  assert.is(Object.keys(m).length, fx('meminfo').trim().split('\n').length, 'one key per line');
});

test("meminfo: this machine's own parses, and a bad line is a ParseError with its number", () => {
  assert.ok(parseMeminfo(readFileSync('/proc/meminfo', 'utf8')).MemTotal! > 0);
  const bad = 'MemTotal:       1 kB\nMemFree: lots kB\n';
  assert.throws(
    () => parseMeminfo(bad),
    (e: ParseError) => e instanceof ParseError && e.line === 2,
  );
  assert.throws(
    () => parseMeminfo('MemTotal 1 kB\n'),
    (e: unknown) => e instanceof ParseError,
  );
});

test('uid_map/gid_map: right-aligned columns, several ranges, ids mapped in and out of them', () => {
  const uid = parseIdMap(fx('uid_map'));
  assert.equal(uid, [
    { inside: 0, outside: 100000, count: 1000 },
    { inside: 1000, outside: 1000, count: 1 },
    { inside: 2000, outside: 200000, count: 65536 },
  ]);
  assert.is(mapIdInside(uid, 100000), 0);
  assert.is(mapIdInside(uid, 100999), 999);
  assert.is(mapIdInside(uid, 101000), -1, 'past the first range');
  assert.is(mapIdInside(uid, 1000), 1000);
  assert.is(mapIdInside(uid, 0), -1, "the host's root is not mapped");
  assert.is(idMapper(fx('gid_map'))(165535), 65535);
  assert.is(idMapper(fx('uid_map-host'))(4294967294), 4294967294, 'the identity map of the initial namespace');
  assert.is(idMapper(readFileSync('/proc/self/uid_map', 'utf8'))(0), 0);
});

test('uid_map: an unwritten map maps nothing; a malformed line is a ParseError', () => {
  assert.equal(parseIdMap(''), []);
  assert.is(idMapper('')(0), -1);
  assert.throws(
    () => parseIdMap('0 0\n'),
    (e: ParseError) => e instanceof ParseError && e.line === 1,
  );
  assert.throws(
    () => parseIdMap('0 0 1\n0 x 1\n'),
    (e: ParseError) => e instanceof ParseError && e.line === 2,
  );
});

test("environ: entries as execve takes them: '=' in values, empty values, UTF-8, no empty entries", () => {
  assert.equal(parseEnviron(fx('environ-docker')), ['PATH=/bin', 'HOSTNAME=ffdc3dbe7001', 'EQ=a=b', 'EMPTY=', 'UTF=grüß', 'HOME=/root']);
  assert.equal(parseEnviron(''), []);
  assert.equal(parseEnviron('A=1\0\0B\0'), ['A=1', 'B'], 'an entry without = is kept as it is');
});

test.run();
