// The package as users get it: the addon loaded from prebuilds/ (PREBUILDS_ONLY=1), and `npm pack`
// installed into an empty folder, with no compiler step when the prebuild matches.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTarget, type Target } from './helpers/target.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const prebuild = join(root, 'prebuilds', 'linux-x64', 'nsjoin.node');
let t: Target;
const tmp = mkdtempSync(join(tmpdir(), 'nsjoin-pack-'));

test.before(async () => {
  t = await startTarget({ ns: ['uts', 'pid', 'mnt'], setup: 'hostname packaged' });
  const newest = Math.max(...readdirSync(join(root, 'native')).map((f) => statSync(join(root, 'native', f)).mtimeMs));
  if (!existsSync(prebuild) || statSync(prebuild).mtimeMs < newest) {
    execFileSync('npm', ['run', 'prebuildify'], { cwd: root, stdio: 'ignore' });
  }
});
test.after(() => {
  t?.kill();
  rmSync(tmp, { recursive: true, force: true });
});

test('PREBUILDS_ONLY=1 loads the prebuild and it works', () => {
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const path = require('node-gyp-build').path(${JSON.stringify(root)});
    const { execFile } = await import('./dist/index.js');
    const { stdout } = await execFile(${t.pid}, 'hostname');
    console.log(JSON.stringify({ path, hostname: stdout.trim() }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, PREBUILDS_ONLY: '1' },
    encoding: 'utf8',
  });
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.match(out.path, /prebuilds\/linux-x64\/nsjoin\.node$/);
  assert.is(out.hostname, 'packaged');
});

test('npm pack installs into an empty folder and runs without compiling', () => {
  // --ignore-scripts: prepack would also cross-compile the arm64 prebuild, which needs
  // g++-aarch64-linux-gnu; the full pack is test/release/consumer.test.ts (npm run test:release).
  const tgz = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .trim()
    .split('\n')
    .pop()!;
  const app = join(tmp, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
  const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(tmp, tgz)], {
    cwd: app,
    encoding: 'utf8',
  });
  assert.is(install.status, 0, install.stderr);
  const pkg = join(app, 'node_modules', 'nsjoin');
  assert.ok(existsSync(join(pkg, 'prebuilds', 'linux-x64', 'nsjoin.node')), 'the prebuild ships');
  assert.not.ok(existsSync(join(pkg, 'build')), 'nothing was compiled');
  writeFileSync(
    join(app, 'main.js'),
    `import { execFile } from 'nsjoin';\nconsole.log((await execFile(${t.pid}, 'hostname')).stdout.trim());\n`,
  );
  const run = spawnSync(process.execPath, ['main.js'], { cwd: app, encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  assert.is(run.stdout.trim(), 'packaged');
  // CommonJS users too (Node 20.19 has require(esm)).
  writeFileSync(
    join(app, 'main.cjs'),
    `const { namespacesOf } = require('nsjoin');\nconsole.log(typeof namespacesOf(${t.pid}).uts.inode);\n`,
  );
  const cjs = spawnSync(process.execPath, ['main.cjs'], { cwd: app, encoding: 'utf8' });
  assert.is(cjs.status, 0, cjs.stderr);
  assert.is(cjs.stdout.trim(), 'number');
  // The parsers are on their own subpath, not on the main entry.
  writeFileSync(
    join(app, 'parse.js'),
    `import { parseMeminfo } from 'nsjoin/parse';\nimport * as main from 'nsjoin';\nconsole.log(parseMeminfo('MemTotal: 2 kB\\n').MemTotal, 'parseMeminfo' in main);\n`,
  );
  const sub = spawnSync(process.execPath, ['parse.js'], { cwd: app, encoding: 'utf8' });
  assert.is(sub.status, 0, sub.stderr);
  assert.is(sub.stdout.trim(), '2048 false');
});

test.run();
