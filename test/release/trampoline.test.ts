// The trampoline (native/trampoline/) on its own, for both architectures we ship: the x86_64 one
// this build embeds, and the arm64 one built by the cross compiler the arm64 prebuild uses, run
// under qemu-user. It has no C library (its own _start and system calls per architecture), so each
// build must be seen to start, parse a spec, clone, take credentials and exec; the arm64 addon
// cannot show it under qemu (no execveat there: see consumer.test.ts), and qemu-user refuses the
// program's clone, whose hand-written child path clone-on-stack.cc checks on both instead. A spec made by
// trampoline-spec.cc from the same header as the addon's; scripts/release/setup.sh installs the
// cross compiler and qemu (npm run test:release).
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nsjoin-trampoline-'));
const specTool = join(tmp, 'trampoline-spec');
const sources = execFileSync('sh', ['-c', 'ls native/trampoline/*.cc'], { cwd: root, encoding: 'utf8' }).trim().split('\n');
const builds = [
  { arch: 'x64', binary: join(root, 'build', 'Release', 'nsjoin-trampoline'), cxx: 'g++', runner: [] as string[] },
  { arch: 'arm64', binary: join(tmp, 'trampoline-arm64'), cxx: 'aarch64-linux-gnu-g++', runner: ['qemu-aarch64-static'] },
];
const buildTool = (cxx: string, out: string, files: string[]) =>
  execFileSync('sh', [join(root, 'native', 'trampoline', 'build.sh'), out, ...files], {
    cwd: root,
    env: { ...process.env, CXX: cxx },
    stdio: ['ignore', 'inherit', 'inherit'],
  });

test.before(() => {
  execFileSync('g++', ['-std=c++17', '-O1', '-o', specTool, join(root, 'test', 'release', 'trampoline-spec.cc')]);
  buildTool(builds[1]!.cxx, builds[1]!.binary, sources);
  assert.match(execFileSync('file', [builds[1]!.binary], { encoding: 'utf8' }), /ARM aarch64, .*statically linked/);
});
test.after(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  report: number[];
  start: number[];
}

/** Runs the trampoline on a spec file (fd 3) with the report pipe on fd 4 and the start pipe on
 *  fd 5. Under a shell, so that the program (a CLONE_PARENT sibling) has a parent that reaps it. */
function runTrampoline(runner: string[], binary: string, spec: string): Run {
  const fd = openSync(spec, 'r');
  try {
    const r = spawnSync('sh', ['-c', '"$@"; exit $?', 'sh', ...runner, binary, '3'], {
      stdio: ['ignore', 'pipe', 'inherit', fd, 'pipe', 'pipe'],
      timeout: 60_000,
    });
    const ints = (b: Buffer | null | undefined) => (b ? Array.from({ length: b.length / 4 }, (_, i) => b.readInt32LE(i * 4)) : []);
    return { status: r.status, stdout: String(r.output[1] ?? ''), report: ints(r.output[4]), start: ints(r.output[5]) };
  } finally {
    closeSync(fd);
  }
}

function spec(name: string, ids: [number, number, number], exec: string, ...argv: string[]): string {
  const file = join(tmp, name);
  execFileSync(specTool, [file, ...ids.map(String), exec, ...argv]);
  return file;
}

// x86_64 natively: every step, up to the program's execve.
const x64 = builds[0]!;
test('x64: runs the program and reports its pid; execve closes the start pipe', () => {
  const r = runTrampoline(x64.runner, x64.binary, spec('true', [-1, -1, -1], '/bin/true', 'true'));
  assert.is(r.status, 0);
  assert.is(r.report.length, 4);
  assert.equal(r.report.slice(0, 3), [0, 0, 0]);
  assert.ok(r.report[3]! > 0, `pid ${r.report[3]}`);
  assert.equal(r.start, []);
});

test('x64: the program reports a failed execve (step execve, ENOENT) on the start pipe', () => {
  const r = runTrampoline(x64.runner, x64.binary, spec('missing', [-1, -1, -1], '/nonexistent/program', 'x'));
  assert.is(r.status, 0);
  assert.equal(r.report.slice(0, 3), [0, 0, 0]);
  assert.equal(r.start, [15, 2, -1, 0]);
});

test('x64: the program takes the groups, gid and uid of the spec', () => {
  const r = runTrampoline(x64.runner, x64.binary, spec('ids', [65534, 65533, 65532], '/usr/bin/id', 'id'));
  assert.equal(r.start, []);
  // id lists the gid among the groups first.
  assert.match(r.stdout, /^uid=65534\S* gid=65533\S* groups=65533\S*,65532\S*\n$/, JSON.stringify(r));
});

// arm64 under qemu-user: up to the program's fork, which qemu-user refuses (EINVAL: it takes no
// CLONE_PARENT; a real arm64 kernel does). So this shows
// _start, the system calls, the spec and the report; the program's steps are the same C++ with the
// same system call helper, and the clone's child path is checked below (clone-on-stack.cc).
const arm64 = builds[1]!;
test('arm64 (qemu-user): starts, reads the spec, resets the signals and reports the refused clone', () => {
  const r = runTrampoline(arm64.runner, arm64.binary, spec('true', [-1, -1, -1], '/bin/true', 'true'));
  assert.is(r.status, 127);
  assert.equal([r.report, r.start], [[6, 22, -1, 0], []]);
});

for (const b of builds) {
  test(`${b.arch}: CloneOnStack starts the child on its own stack in fn(arg) (clone-on-stack.cc)`, () => {
    const out = join(tmp, `clone-on-stack-${b.arch}`);
    buildTool(b.cxx, out, ['native/trampoline/start.cc', 'test/release/clone-on-stack.cc']);
    const r = spawnSync(b.runner[0] ?? out, b.runner.length ? [out] : [], { encoding: 'utf8', timeout: 60_000 });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, 'child ran on its own stack\n');
  });

  test(`${b.arch}: a spec that is not one exits 126 without a report`, () => {
    const file = join(tmp, 'garbage');
    writeFileSync(file, Buffer.alloc(300, 7));
    const r = runTrampoline(b.runner, b.binary, file);
    assert.is(r.status, 126);
    assert.equal([r.report, r.start], [[], []]);
  });
}

test.run();
