// lib/parse/proc-stat.ts on /proc/PID/stat captured from this host (test/fixtures/proc/README.md):
// the host's init, a kernel thread, a docker container's process that named itself to look like
// more fields, and a host process whose name holds a newline and parentheses.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ParseError } from '../lib/errors.js';
import { parseProcStat } from '../lib/parse/proc-stat.js';

const fx = (name: string) => readFileSync(new URL(`./fixtures/proc/${name}`, import.meta.url), 'utf8');

test("the host's init: every named field, negative priority and nice kept", () => {
  assert.equal(parseProcStat(fx('stat-host-init')), {
    pid: 1,
    comm: 'process_api',
    state: 'S',
    ppid: 0,
    pgrp: 0,
    session: 0,
    tpgid: -1,
    utime: 1096,
    stime: 7482,
    numThreads: 14,
    startTime: 25,
    vsize: 46563328,
    rss: 3264,
  });
});

test('a kernel thread: no memory, no terminal', () => {
  const s = parseProcStat(fx('stat-kthreadd'));
  assert.equal([s.pid, s.comm, s.ppid, s.vsize, s.rss, s.startTime], [2, 'kthreadd', 0, 0, 0, 25]);
});

test("a container's process named 'evil) R 1 2 (3' cannot shift the fields after its name", () => {
  const text = fx('stat-docker-hostile-comm');
  const s = parseProcStat(text);
  assert.is(s.comm, 'evil) R 1 2 (3');
  assert.equal([s.pid, s.state, s.ppid, s.pgrp, s.session, s.numThreads, s.startTime], [29107, 'S', 29087, 29107, 29107, 1, 1115515]);
  // What a split after the first ')' would have read as the start time: the attack this guards against.
  assert.is.not(Number(text.slice(text.indexOf(')') + 2).split(' ')[19]), s.startTime);
});

test('a name with a newline and parentheses, read while running', () => {
  const s = parseProcStat(fx('stat-host-newline-comm'));
  assert.is(s.comm, 'a\n) b (c) 9');
  assert.equal([s.pid, s.state, s.ppid, s.startTime, s.numThreads], [32563, 'R', 32559, 1116194, 1]);
});

test("this machine's own /proc/self/stat parses as ours", () => {
  const s = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
  assert.is(s.pid, process.pid);
  assert.is(s.ppid, process.ppid);
  assert.ok(s.startTime > 0 && s.numThreads >= 1);
});

test('malformed text is a ParseError, never a guess', () => {
  const good = fx('stat-host-init');
  for (const bad of [
    '',
    '\n',
    '1 process_api S 0',
    '1 (process_api)',
    '1 (process_api) S',
    'x (a) S 0 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 25 0 0 1\n',
    good.replace(') S ', ') ? '),
    good.replace(') S ', ')S '),
    good.split(' ').slice(0, 23).join(' '),
    good.replace(' 25 ', ' 2x5 '),
    good.replace('1 (', '1('),
  ])
    assert.throws(
      () => parseProcStat(bad, 'stat'),
      (e: unknown) => e instanceof ParseError && e.file === 'stat',
      JSON.stringify(bad.slice(0, 30)),
    );
});

test.run();
