// The trampoline (what the joiner execs) is non-dumpable from its first step until the program
// execs: nothing in the target may ptrace it or open its /proc files while it holds host fds. The
// joiner shares Node's memory but joins nothing, so Node's own dumpable flag is never touched.
//
// How it is observed: the caller runs as uid 1234 with the capabilities it needs (ambient), so a
// dumpable process of it has its /proc/PID/status owned by 1234, and a non-dumpable one by root (the
// kernel's task_dump_owner, for the files in /proc/PID). The target sits in a frozen freezer cgroup and the spawn joins it
// (joinCgroup), so the joiner freezes right after its first steps and can be looked at.
import { spawn as nodeSpawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { againstCopy, publicCopy } from '../helpers/public-copy.js';
import { testIf } from '../helpers/skip.js';
import { startTarget, type Target } from '../helpers/target.js';

const FREEZER = '/sys/fs/cgroup/freezer';
const caps = '+sys_admin,+sys_chroot,+sys_ptrace,+dac_override,+dac_read_search,+setuid,+setgid,+kill';
// A Node running `script` as uid 1234 with just `caps` (ambient), from the world-readable copy.
const asCaller = (script: string, stdin: 'pipe' | 'ignore') =>
  nodeSpawn(
    'setpriv',
    ['--reuid', '1234', '--regid', '1234', '--clear-groups', `--inh-caps=${caps}`, `--ambient-caps=${caps}`].concat([
      process.execPath,
      '--input-type=module',
      '-e',
      script,
    ]),
    { cwd: publicCopy().root, stdio: [stdin, 'pipe', 'inherit'] },
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// /proc/PID itself keeps the effective uid; the files in it follow dumpability.
const owner = (pid: number): number | undefined => {
  try {
    return statSync(`/proc/${pid}/status`).uid;
  } catch {
    return undefined;
  }
};
const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

const noFreezer =
  existsSync(`${FREEZER}/freezer.state`) || existsSync(`${FREEZER}/cgroup.procs`) ? '' : 'no cgroup v1 freezer on this host';
testIf(noFreezer, 'the joiner is non-dumpable before it joins, and the caller is dumpable again after', async () => {
  const dir = `${FREEZER}/nsjoin-test-dumpable-${process.pid}`;
  mkdirSync(dir);
  let t: Target | undefined;
  let caller: ReturnType<typeof nodeSpawn> | undefined;
  try {
    t = await startTarget({ ns: ['uts'], pre: `echo $$ > ${dir}/cgroup.procs` });
    writeFileSync(`${dir}/freezer.state`, 'FROZEN');
    const script = `
      import { spawnSync } from './lib/index.ts';
      console.log('ready');
      await new Promise((r) => process.stdin.once('data', r));
      const r = spawnSync(${t.pid}, '/bin/true', [], { namespaces: ['uts'], joinCgroup: true, env: {} });
      console.log(JSON.stringify({ status: r.status, error: r.error?.message }));
      await new Promise((r) => process.stdin.once('data', r));`;
    caller = asCaller(againstCopy(script), 'pipe');
    const lines: string[] = [];
    caller.stdout!.on('data', (b: Buffer) => lines.push(...b.toString().trim().split('\n')));
    for (let i = 0; i < 500 && !lines.includes('ready'); i++) await sleep(10);
    const callerPid = caller.pid!;
    assert.is(owner(callerPid), 1234, 'a dumpable process of uid 1234 owns its /proc entry (the check can tell)');

    caller.stdin!.write('go\n');
    let joiner = 0;
    for (let i = 0; i < 500 && !joiner; i++) {
      joiner = childrenOf(callerPid)[0] ?? 0;
      if (!joiner) await sleep(10);
    }
    assert.ok(joiner > 0, 'the joiner started');
    // It is frozen in the target's freezer cgroup now, before setns and exec.
    for (let i = 0; i < 200 && !readFileSync(`/proc/${joiner}/cgroup`, 'utf8').includes('nsjoin-test-dumpable'); i++) await sleep(10);
    assert.ok(readFileSync(`/proc/${joiner}/cgroup`, 'utf8').includes('nsjoin-test-dumpable'), 'the joiner joined the frozen cgroup');
    assert.is(owner(joiner), 0, 'the joiner is non-dumpable (its /proc entry belongs to root)');

    writeFileSync(`${dir}/freezer.state`, 'THAWED');
    for (let i = 0; i < 500 && lines.length < 2; i++) await sleep(10);
    assert.equal(JSON.parse(lines[1]!), { status: 0 }, 'the program ran');
    assert.is(owner(callerPid), 1234, 'the caller is dumpable again after the spawn');
  } finally {
    try {
      writeFileSync(`${dir}/freezer.state`, 'THAWED');
    } catch {
      /* gone */
    }
    caller?.kill('SIGKILL');
    t?.kill();
    for (let i = 0; i < 100 && existsSync(dir); i++) {
      try {
        rmdirSync(dir);
      } catch {
        await sleep(20);
      }
    }
  }
});

test('4 worker threads x 200 spawnSync leave the caller dumpable (no spawn saves and restores its flag)', async () => {
  const t = await startTarget({ ns: ['uts'] });
  let caller: ReturnType<typeof nodeSpawn> | undefined;
  try {
    // Each worker spawns into the target; the main thread then reports whether the process is
    // dumpable: a dumpable process of uid 1234 owns its /proc files, a non-dumpable one does not.
    // Workers load the built library (the world-readable copy of dist/, which the suite builds
    // first): tsx's loader does not reach worker threads on Node 20, and uid 1234 may not read the
    // checkout.
    const worker = `
      Promise.all([import('node:worker_threads'), import(${JSON.stringify(publicCopy().index)})]).then(([{ parentPort }, { spawnSync }]) => {
        let failed = 0;
        for (let i = 0; i < 200; i++) if (spawnSync(${t.pid}, '/bin/true', [], { namespaces: ['uts'], env: {} }).status !== 0) failed++;
        parentPort.postMessage(failed);
      });`;
    const script = `
      import { Worker } from 'node:worker_threads';
      import { statSync } from 'node:fs';
      const runs = Array.from({ length: 4 }, () => new Promise((resolve, reject) => {
        const w = new Worker(${JSON.stringify(worker)}, { eval: true });
        w.once('message', resolve);
        w.once('error', reject);
      }));
      const failed = (await Promise.all(runs)).reduce((a, b) => a + b, 0);
      console.log(JSON.stringify({ failed, owner: statSync('/proc/self/status').uid }));`;
    caller = asCaller(script, 'ignore');
    let out = '';
    caller.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
    });
    await new Promise((resolve) => caller!.once('close', resolve));
    const r = JSON.parse(out.trim().split('\n').pop()!) as { failed: number; owner: number };
    assert.is(r.failed, 0, 'every spawn ran');
    assert.is(r.owner, 1234, 'the caller is dumpable after 800 concurrent spawns');
  } finally {
    caller?.kill('SIGKILL');
    t.kill();
  }
});

test.run();
