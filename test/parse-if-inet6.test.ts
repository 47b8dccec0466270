// lib/parse/if-inet6.ts on files captured from this host (Linux 6.18): the host's own (a device
// with two addresses), and a network namespace with hex ifindexes 2a6/2a7 and a 15-character name.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ifindexesFromIfInet6 } from '../lib/parse/if-inet6.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/net/host/${name}`, import.meta.url), 'utf8');

test('host /proc/net/if_inet6: one pair per address line', () => {
  assert.equal(ifindexesFromIfInet6(fixture('if_inet6-linux-6.18')), [
    ['lo', 1],
    ['eth0', 4],
    ['eth0', 4],
    ['docker0', 5],
  ]);
});

test('hex ifindexes above 255 and a 15-character name', () => {
  assert.equal(ifindexesFromIfInet6(fixture('if_inet6-netns-veth-linux-6.18')), [
    ['nsjoinlongname0', 678],
    ['p0', 679],
    ['lo', 1],
  ]);
});

test('lines of another shape are skipped, never thrown on', () => {
  for (const t of [
    '',
    '\n',
    '00000000000000000000000000000001 01 80 10 80\n',
    'zz000000000000000000000000000001 01 80 10 80 lo\n',
    '00000000000000000000000000000001 0x1 80 10 80 lo\n',
  ]) {
    assert.equal(ifindexesFromIfInet6(t), []);
  }
});

test.run();
