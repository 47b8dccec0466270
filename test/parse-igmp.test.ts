// lib/parse/igmp.ts on files captured from this host (Linux 6.18): the host's own, and a network
// namespace with a 15-character veth name (glued to the ':') at ifindex 678.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ifindexesFromIgmp } from '../lib/parse/igmp.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/net/host/${name}`, import.meta.url), 'utf8');

test('host /proc/net/igmp: device lines only, group lines skipped', () => {
  assert.equal(ifindexesFromIgmp(fixture('igmp-linux-6.18')), [
    ['lo', 1],
    ['eth0', 4],
    ['docker0', 5],
  ]);
});

test('a 15-character name glued to the colon, three-digit ifindex', () => {
  assert.equal(ifindexesFromIgmp(fixture('igmp-netns-veth-linux-6.18')), [
    ['lo', 1],
    ['p0', 679],
    ['nsjoinlongname0', 678],
  ]);
});

test('empty, header-only and odd text give no pairs and never throw', () => {
  for (const t of ['', 'Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n', '\t\t\t\t010000E0 1 0:0\t\t0\n', 'x\ty :\n']) {
    assert.equal(ifindexesFromIgmp(t), []);
  }
});

test.run();
