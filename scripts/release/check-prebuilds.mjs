#!/usr/bin/env node
// Refuses a pack without the prebuilds: each platform we ship must have its addon, built for the
// right machine (ELF e_machine) and exporting the N-API entry point. Run by `npm pack`/`npm publish`
// (prepack) after the prebuilds are made, and by the release test.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Platform directory -> ELF e_machine (EM_X86_64 62, EM_AARCH64 183). */
export const SHIPPED = { 'linux-x64': 62, 'linux-arm64': 183 };

/** Problems with prebuilds/<platform>/nsjoin.node below `root`; empty when all is well. */
export function checkPrebuilds(root) {
  const problems = [];
  for (const [dir, machine] of Object.entries(SHIPPED)) {
    const file = join(root, 'prebuilds', dir, 'nsjoin.node');
    let head;
    try {
      head = readFileSync(file).subarray(0, 20);
    } catch {
      problems.push(`${file} is missing`);
      continue;
    }
    if (head.readUInt32BE(0) !== 0x7f454c46) {
      problems.push(`${file} is not an ELF file`);
      continue;
    }
    const found = head.readUInt16LE(18);
    if (found !== machine) problems.push(`${file} is built for ELF machine ${found}, not ${machine}`);
    const syms = execFileSync('readelf', ['--wide', '--dyn-syms', file], { encoding: 'utf8' });
    if (!/\sGLOBAL\s+DEFAULT\s+\d+\s+napi_register_module_v1$/m.test(syms))
      problems.push(`${file} does not export napi_register_module_v1`);
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = checkPrebuilds(fileURLToPath(new URL('../..', import.meta.url)));
  if (problems.length) {
    process.stderr.write(
      `not packing without the prebuilds:\n  ${problems.join('\n  ')}\n(npm run prebuildify && npm run prebuildify:arm64)\n`,
    );
    process.exit(1);
  }
}
