#!/usr/bin/env node
// Runs each test file in its own Node process (through tsx), so that one file's crash, hang or
// leaked process cannot take the others down, and prints one closing line for the whole run.
// usage: node scripts/run-tests.mjs DIR [FILTER...]   (FILTER: a substring of the file name, any of them
// matches; DIR's own files only)
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const dir = process.argv[2] ?? 'test';
const filters = process.argv.length > 3 ? process.argv.slice(3) : [''];
const perFileTimeoutMs = Number(process.env.NSJOIN_TEST_TIMEOUT_MS ?? 10 * 60 * 1000);

// Only the folder's own files: suites in subfolders (test/stress) have their own npm scripts.
const files = readdirSync(dir)
  .filter((name) => /\.test\.ts$/.test(name) && filters.some((f) => name.includes(f)) && statSync(join(dir, name)).isFile())
  .map((name) => join(dir, name))
  .sort();
let passed = 0,
  failed = 0,
  skipped = 0;
const broken = [];
for (const file of files) {
  const started = Date.now();
  process.stdout.write(`\n# ${relative('.', file)}\n`);
  const { code, signal, out } = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let out = '';
    child.stdout.on('data', (b) => {
      out += b;
      process.stdout.write(b);
    });
    const timer = setTimeout(() => {
      process.stdout.write(`\n! ${file}: timed out\n`);
      child.kill('SIGKILL');
    }, perFileTimeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
  const num = (label) => Number(out.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm'))?.[1] ?? 0);
  const total = num('Total'),
    ok = num('Passed'),
    skip = num('Skipped');
  passed += ok;
  skipped += skip;
  // uvu's Total leaves skipped tests out; a file whose tests all skip (each with its reason) is
  // skipped, not failed; a file that registers nothing at all failed.
  let bad = Math.max(0, total - ok);
  if (code !== 0 || total + skip === 0) bad = Math.max(bad, 1);
  failed += bad;
  if (bad) broken.push(`${file} (exit ${code ?? signal})`);
  process.stdout.write(`# ${file}: ${ok} passed, ${bad} failed, ${skip} skipped in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
if (broken.length) process.stdout.write(`\nFailed files:\n  ${broken.join('\n  ')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed || files.length === 0 ? 1 : 0);
