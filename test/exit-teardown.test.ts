// No crash at any point of Node's life: a program still watched when Node tears its environment
// down (the loop ran dry with the child unref'd, process.exit(), a worker's end) must not make
// the addon call into JavaScript that is gone (it aborted with "napi_throw" in 18 of 20 runs).
// Each case runs in its own Node process, 50 times, from the built package (npm test builds).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

// [runs, script]: the two cases of the report 50 times each, the variants fewer.
const CASES: Record<string, [number, string]> = {
  // The loop has nothing else: Node tears down while the program may exit at any moment.
  unref: [50, `spawn(process.pid, 'true').unref();`],
  unrefIgnored: [10, `spawn(process.pid, 'true', { stdio: 'ignore' }).unref();`],
  // Exit while the program runs and while it exits.
  exit: [50, `spawn(process.pid, 'true'); process.exit(0);`],
  exitLater: [10, `const c = spawn(process.pid, 'true'); c.on('spawn', () => setTimeout(() => process.exit(0), Math.random() * 3));`],
  // A worker that spawns and ends (its environment is torn down while the process lives on).
  worker: [
    10,
    `const { Worker } = await import('node:worker_threads');
    const w = new Worker(\`import('\${process.argv[1]}').then(({ spawn }) => { spawn(process.pid, 'sleep', ['0.05']).unref(); })\`, { eval: true });
    w.on('error', (e) => { console.error(e); process.exitCode = 1; });
    await new Promise((r) => w.on('exit', r));`,
  ],
};

function runCase(body: string): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const script = `import { spawn } from ${JSON.stringify(DIST)};\n${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, DIST], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

for (const [name, [runs, body]] of Object.entries(CASES)) {
  test(`${name}: ${runs} runs, every one exits 0 without a fatal error`, () => {
    assert.ok(existsSync(DIST), `${DIST} is missing: run npm run build first`);
    const bad: string[] = [];
    for (let i = 0; i < runs; i++) {
      const r = runCase(body);
      if (r.status !== 0 || r.signal !== null) bad.push(`run ${i}: status ${r.status} signal ${r.signal} ${r.stderr.slice(0, 300)}`);
    }
    assert.equal(bad, [], bad.join('\n'));
  });
}

test('a throwing exit listener reaches uncaughtException, as with child_process', () => {
  const plain = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { spawn } from 'node:child_process';
    process.on('uncaughtException', (e) => { console.log('caught', e.message); });
    spawn('true').on('exit', () => { throw new Error('from-listener'); });`,
    ],
    { encoding: 'utf8' },
  );
  assert.is(plain.status, 0);
  assert.is(plain.stdout.trim(), 'caught from-listener');
  const again = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { spawn } from ${JSON.stringify(DIST)};
    process.on('uncaughtException', (e) => { console.log('caught', e.message); });
    spawn(process.pid, 'true').on('exit', () => { throw new Error('from-listener'); });`,
    ],
    { encoding: 'utf8' },
  );
  assert.is(again.status, 0, again.stderr);
  assert.is(again.stdout.trim(), plain.stdout.trim());
});

// dieWithParent is an internal switch (the CLI's exec and debug use it): dist/spawn.js's spawnInternal.
const SPAWN = fileURLToPath(new URL('../dist/spawn.js', import.meta.url));
test('dieWithParent (PR_SET_PDEATHSIG, per thread) is refused in a worker thread with a clear error', () => {
  const r = runCase(`const { Worker } = await import('node:worker_threads');
    const { spawnInternal } = await import(${JSON.stringify(SPAWN)});
    const w = new Worker(\`import(${JSON.stringify(SPAWN)}).then(({ spawnInternal }) => {
      try { spawnInternal(process.pid, 'true', [], {}, { dieWithParent: true }); console.log('started'); }
      catch (e) { console.log(e.name, e.code); }
    })\`, { eval: true });
    await new Promise((r) => w.on('exit', r));
    const c = spawnInternal(process.pid, 'true', [], {}, { dieWithParent: true });
    c.on('close', (code) => console.log('main', code));`);
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n'), ['TypeError ERR_WORKER_UNSUPPORTED_OPERATION', 'main 0']);
});

test.run();
