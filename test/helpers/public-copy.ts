// Processes that tests run as another user (uid 65534, 1234) cannot read a checkout that sits in a
// directory only root may enter (a clone under /root, mode 700): neither tsx nor lib/ nor dist/.
// They run the compiled package from a world-readable copy instead: dist/, the addon, package.json
// and node-gyp-build (what dist/ loads at run time), in a fresh temporary directory, made once per
// process and removed at exit. Needs `npm run build` (npm test builds first).
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** Paths in the copy: its root (a cwd another user may enter), the package entry and the CLI. */
export interface PublicCopy {
  root: string;
  index: string;
  cli: string;
}

let copy: PublicCopy | undefined;

function openUp(path: string): void {
  const st = statSync(path);
  chmodSync(path, st.mode | (st.isDirectory() ? 0o555 : 0o444));
  if (st.isDirectory()) for (const n of readdirSync(path)) openUp(join(path, n));
}

/** The world-readable copy of the built package (made on first use). */
export function publicCopy(): PublicCopy {
  if (copy) return copy;
  const root = mkdtempSync(join(tmpdir(), 'nsjoin-public-'));
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  // The addon where node-gyp-build finds it: build/Release, or the prebuild (prebuildify, run by
  // the package tests and by npm pack, leaves no build/Release behind).
  const addon = ['build/Release/nsjoin.node', `prebuilds/linux-${process.arch}/nsjoin.node`].find((p) => existsSync(join(repo, p)));
  if (!addon) throw new Error('the addon is missing: run npm run build first');
  for (const part of ['dist', addon, 'package.json', 'node_modules/node-gyp-build']) {
    if (!existsSync(join(repo, part))) throw new Error(`${part} is missing: run npm run build first`);
    cpSync(join(repo, part), join(root, part), { recursive: true });
  }
  openUp(root);
  copy = { root, index: join(root, 'dist/index.js'), cli: join(root, 'dist/cli/main.js') };
  return copy;
}

/** `script` with its imports of './lib/index.ts' pointed at the copy's compiled dist/index.js. */
export function againstCopy(script: string): string {
  return script.replace(/(['"])\.\/lib\/index\.ts\1/g, JSON.stringify(publicCopy().index));
}
