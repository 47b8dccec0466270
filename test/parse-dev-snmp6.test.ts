// lib/parse/dev-snmp6.ts on /proc/net/dev_snmp6/{lo,eth0} captured from this host (Linux 6.18).
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ifindexFromDevSnmp6 } from '../lib/parse/dev-snmp6.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/net/host/${name}`, import.meta.url), 'utf8');

test('the ifIndex line of lo and eth0', () => {
  assert.is(ifindexFromDevSnmp6(fixture('dev_snmp6-lo-linux-6.18')), 1);
  assert.is(ifindexFromDevSnmp6(fixture('dev_snmp6-eth0-linux-6.18')), 4);
});

test("this machine's own lo", () => {
  assert.is(ifindexFromDevSnmp6(readFileSync('/proc/net/dev_snmp6/lo', 'utf8')), 1);
});

test('no ifIndex line, or one of another shape: undefined, never thrown', () => {
  for (const t of ['', 'Ip6InReceives                   \t2\n', 'ifIndex\tx\n', 'xifIndex 3\n', 'ifIndex 3 4\n']) {
    assert.is(ifindexFromDevSnmp6(t), undefined, JSON.stringify(t));
  }
});

test.run();
