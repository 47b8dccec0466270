// Hostile input: bad values across the whole public API, each with the typed error it must give
// (TypeError, RangeError, or an NsError code) and no process started; and random values thrown at
// the raw addon in a separate process, which must neither abort nor crash.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as nsjoin from '../../lib/index.js';
import { NsError } from '../../lib/index.js';
import { startTarget, type Target } from '../helpers/target.js';
import { ourChildren, PATH, runFile } from './helpers/run.js';

const {
  spawn,
  execFile,
  spawnSync,
  namespacesOf,
  listNamespaces,
  cgroupOf,
  readCgroupStats,
  readNetDev,
  readInterfaceStats,
  listContainers,
  findContainer,
  memoryView,
  meminfo,
  cpuView,
  cpuUsage,
} = nsjoin;
const api = nsjoin as unknown as Record<string, (...a: unknown[]) => unknown>;

let t: Target;
let before: number[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'nsjoin-hostile-'));
test.before(async () => {
  before = ourChildren();
  t = await startTarget({ ns: ['uts', 'pid', 'mnt', 'net'] });
});
test.after(() => {
  t?.kill();
  rmSync(scratch, { recursive: true, force: true });
});

type Expect = string; // 'TypeError', 'RangeError', otherwise an NsError code ('node:CODE': Node's own system error)
interface Case {
  what: string;
  expect: Expect | Expect[];
  call: () => unknown;
  starts?: boolean;
}

const env = { PATH };
const ok = () => t.pid;
const exec =
  (opts: object, file = 'true', args: unknown = []) =>
  () =>
    execFile(ok(), file, args as string[], opts as nsjoin.ExecFileOptions);
const sp = (opts: object) => () => spawn(ok(), 'true', [], opts as nsjoin.JoinOptions);
const sync = (opts: object) => () => spawnSync(ok(), 'true', [], opts as nsjoin.SpawnSyncOptions);

const cases: Case[] = [
  // Targets (every entry point that takes one).
  { what: 'target: a string pid', expect: 'TypeError', call: () => spawn('1' as never, 'true') },
  { what: 'target: NaN', expect: 'RangeError', call: () => spawn(NaN, 'true') },
  { what: 'target: Infinity', expect: 'RangeError', call: () => execFile(Infinity, 'true') },
  { what: 'target: negative pid', expect: 'RangeError', call: () => spawnSync(-1, 'true') },
  { what: 'target: zero', expect: 'RangeError', call: () => namespacesOf(0) },
  { what: 'target: 1.5', expect: 'RangeError', call: () => cgroupOf(1.5) },
  { what: 'target: huge pid 2^31', expect: 'RangeError', call: () => readNetDev(2 ** 31) },
  { what: 'target: pid above pid_max (4194305)', expect: 'RangeError', call: () => readCgroupStats(4194305) },
  { what: 'target: free pid that no process has', expect: 'ESRCH', call: () => spawn(4194303, 'true') },
  { what: 'target: null', expect: 'TypeError', call: () => namespacesOf(null as never) },
  { what: 'target: an array', expect: 'TypeError', call: () => spawn([1] as never, 'true') },
  { what: 'target: BigInt', expect: 'TypeError', call: () => spawn(1n as never, 'true') },
  { what: 'target: { pid: "1" }', expect: 'TypeError', call: () => spawn({ pid: '1' } as never, 'true') },
  { what: 'target: { pid, extra }', expect: 'TypeError', call: () => spawn({ pid: 1, extra: 1 } as never, 'true') },
  { what: 'target: { container: "" }', expect: 'TypeError', call: () => spawn({ container: '' }, 'true') },
  { what: 'target: { container: "../../etc" }', expect: 'TypeError', call: () => memoryView({ container: '../../etc' }) },
  { what: 'target: unknown container', expect: 'ENSJOIN_NO_CONTAINER', call: () => spawn({ container: 'ffffffffffffdeadbeef' }, 'true') },
  { what: 'target: unknown container (views)', expect: 'ENSJOIN_NO_CONTAINER', call: () => cpuView({ container: 'ffffffffffffdeadbeef' }) },
  { what: 'target: unknown container (findContainer)', expect: 'ENSJOIN_NO_CONTAINER', call: () => findContainer('ffffffffffffdeadbeef') },
  { what: 'target: a Symbol', expect: 'TypeError', call: () => readInterfaceStats(Symbol('x') as never, 'lo') },
  // file and args.
  { what: 'file: empty', expect: 'TypeError', call: () => spawn(ok(), '') },
  { what: 'file: not a string', expect: 'TypeError', call: () => spawn(ok(), 42 as never) },
  { what: 'file: NUL inside', expect: 'TypeError', call: () => execFile(ok(), '/bin/true\0/bin/sh') },
  { what: 'args: not an array', expect: 'TypeError', call: () => spawn(ok(), 'true', 'a b' as never) },
  { what: 'args: a number inside', expect: 'TypeError', call: () => spawn(ok(), 'true', [1] as never) },
  { what: 'args: NUL inside', expect: 'TypeError', call: () => spawnSync(ok(), 'echo', ['a\0b'], { env }) },
  { what: 'argv0: NUL inside', expect: 'TypeError', call: sp({ argv0: 'x\0y', env }) },
  // Options.
  { what: 'options: a string', expect: 'TypeError', call: () => spawn(ok(), 'true', [], 'x' as never) },
  { what: 'options: unknown key', expect: 'TypeError', call: sp({ shel: true }) },
  { what: 'namespaces: unknown name', expect: 'TypeError', call: sp({ namespaces: ['net', 'bogus'] }) },
  { what: 'namespaces: a string other than all', expect: 'TypeError', call: sp({ namespaces: 'net' }) },
  { what: 'namespaces: a number inside', expect: 'TypeError', call: sync({ namespaces: [0x40000000] }) },
  { what: 'root: a string', expect: 'TypeError', call: sp({ root: 'yes' }) },
  { what: 'cwd: empty', expect: 'TypeError', call: sp({ cwd: '' }) },
  { what: 'cwd: NUL inside', expect: 'TypeError', call: sp({ cwd: '/tmp\0/etc' }) },
  { what: 'cwd: missing directory (async chdir error)', expect: 'ENOENT', call: exec({ cwd: '/no/such/dir', env }) },
  { what: 'cwd: a file, not a directory', expect: 'ENOTDIR', call: exec({ cwd: '/etc/hostname', env }) },
  { what: 'user: uid -1', expect: 'RangeError', call: sp({ user: { uid: -1, gid: 0 } }) },
  { what: 'user: uid 2^32-1 (the kernel\'s "no id")', expect: 'RangeError', call: sp({ user: { uid: 2 ** 32 - 1, gid: 0 } }) },
  { what: 'user: gid NaN', expect: 'RangeError', call: sp({ user: { uid: 0, gid: NaN } }) },
  { what: 'user: uid a string', expect: 'TypeError', call: sp({ user: { uid: '0', gid: 0 } }) },
  { what: 'user: a group out of range', expect: 'RangeError', call: sp({ user: { uid: 0, gid: 0, groups: [1, 2 ** 40] } }) },
  { what: 'user: groups not an array', expect: 'TypeError', call: sp({ user: { uid: 0, gid: 0, groups: 5 } }) },
  { what: 'user: an unknown word', expect: 'TypeError', call: sp({ user: 'root' }) },
  { what: 'env: key with "="', expect: 'TypeError', call: sp({ env: { 'A=B': 'c' } }) },
  { what: 'env: empty key', expect: 'TypeError', call: sp({ env: { '': 'c' } }) },
  { what: 'env: value with NUL', expect: 'TypeError', call: sp({ env: { A: 'b\0LD_PRELOAD=/x.so' } }) },
  { what: 'env: value with a NUL once made a string', expect: 'TypeError', call: sp({ env: { A: { toString: () => 'a\0b' } } }) },
  { what: 'env: an unknown word', expect: 'TypeError', call: sp({ env: 'host' }) },
  { what: 'env: an array', expect: 'TypeError', call: sp({ env: ['A=b'] }) },
  { what: 'joinCgroup: a string', expect: 'TypeError', call: sp({ joinCgroup: 'yes' }) },
  { what: 'stdio: unknown word', expect: 'TypeError', call: sp({ stdio: 'pty' }) },
  { what: 'stdio: junk entry', expect: 'TypeError', call: sp({ stdio: ['pipe', {}, 'pipe'] }) },
  { what: 'stdio: negative fd', expect: 'TypeError', call: sp({ stdio: ['pipe', -1, 'pipe'] }) },
  { what: 'stdio: fractional fd', expect: 'TypeError', call: sp({ stdio: ['pipe', 1.5, 'pipe'] }) },
  { what: 'stdio: 2000 entries', expect: 'RangeError', call: sp({ stdio: new Array(2000).fill('ignore') }) },
  {
    what: 'stdio: an fd that is not open',
    expect: 'EBADF',
    call: () =>
      new Promise((resolve, reject) =>
        spawn(ok(), 'true', [], { env, stdio: ['ignore', 'ignore', 'ignore', 987654] })
          .on('error', reject)
          .on('close', resolve),
      ),
  },
  { what: 'timeout: negative', expect: 'RangeError', call: sp({ timeout: -1 }) },
  { what: 'timeout: NaN', expect: 'RangeError', call: sp({ timeout: NaN }) },
  { what: 'timeout: a string', expect: 'TypeError', call: sp({ timeout: '10' }) },
  { what: 'timeout: 2^31', expect: 'RangeError', call: sync({ timeout: 2 ** 31 }) },
  { what: 'killSignal: unknown name', expect: 'TypeError', call: sp({ killSignal: 'SIGBOGUS' }) },
  { what: 'killSignal: 99 (as Node: ERR_UNKNOWN_SIGNAL)', expect: 'TypeError', call: sp({ killSignal: 99 }) },
  { what: 'signal: not an AbortSignal', expect: 'TypeError', call: sp({ signal: { aborted: 'no' } }) },
  { what: 'signal: an AbortController', expect: 'TypeError', call: sp({ signal: new AbortController() }) },
  { what: 'execFile: maxBuffer negative', expect: 'RangeError', call: exec({ maxBuffer: -1 }) },
  { what: 'execFile: unknown encoding', expect: 'TypeError', call: exec({ encoding: 'utf-9' }) },
  { what: 'execFile: input a number', expect: 'TypeError', call: exec({ input: 5 }) },
  { what: 'spawnSync: options null-prototype junk', expect: 'TypeError', call: sync(Object.assign(Object.create(null), { bogus: 1 })) },
  {
    what: 'kill(): unknown signal name',
    expect: 'TypeError',
    starts: true,
    call: () => {
      const c = spawn(ok(), 'true', [], { env, stdio: 'ignore' });
      try {
        c.kill('SIGNOPE' as never);
      } finally {
        c.kill('SIGKILL');
      }
    },
  },
  // Readers.
  {
    what: 'readCgroupStats: a path spec with version 3',
    expect: 'TypeError',
    call: () => readCgroupStats({ path: '/', version: 3 } as never),
  },
  { what: 'readCgroupStats: a relative path', expect: 'TypeError', call: () => readCgroupStats({ path: 'x/../../etc', version: 1 }) },
  { what: 'readInterfaceStats: a name with "/"', expect: 'TypeError', call: () => readInterfaceStats(ok(), '../../../etc') },
  { what: 'readInterfaceStats: a 16-character name', expect: 'TypeError', call: () => readInterfaceStats(ok(), 'a'.repeat(16)) },
  { what: 'readInterfaceStats: no such interface', expect: 'ENOENT', call: () => readInterfaceStats(ok(), 'nope0') },
  // Reported: the scan's readdir error is Node's, not wrapped in an NsError as the other readers do.
  {
    what: 'listNamespaces: procRoot that does not exist',
    expect: 'ENOENT',
    call: () => listNamespaces({ procRoot: join(scratch, 'none') }),
  },
  // RootOptions are not validated: Node's TypeError comes back wrapped in an NsError.
  {
    what: 'listContainers: procRoot a number',
    expect: ['TypeError', 'ERR_INVALID_ARG_TYPE'],
    call: () => listContainers({ procRoot: 5 as never }),
  },
  {
    what: 'namespacesOf: a procRoot that is a file',
    expect: 'ENOTDIR',
    call: () => {
      writeFileSync(join(scratch, 'file'), '');
      return namespacesOf(1, { procRoot: join(scratch, 'file') });
    },
  },
  { what: 'meminfo: pid of no process', expect: 'ESRCH', call: () => meminfo(4194303) },
  { what: 'cgroupOf: pid of no process', expect: 'ESRCH', call: () => cgroupOf(4194303) },
  { what: 'readCgroupStats: pid of no process', expect: 'ESRCH', call: () => readCgroupStats(4194303) },
  { what: 'cpuUsage: intervalMs negative', expect: 'RangeError', call: () => cpuUsage(ok(), { intervalMs: -5 }) },
];

function classify(err: unknown): string {
  if (err instanceof NsError) return err.code;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof (err as NodeJS.ErrnoException).errno === 'number') return `node:${code}`;
  if (err instanceof RangeError) return 'RangeError';
  if (err instanceof TypeError) return 'TypeError';
  return `other: ${(err as Error)?.name}: ${(err as Error)?.message}`;
}

test(`${cases.length} bad inputs: each gives its typed error and starts no process`, async () => {
  assert.ok(cases.length >= 40);
  const wrong: string[] = [];
  for (const c of cases) {
    const kids = ourChildren().join();
    let got: string;
    try {
      const r = c.call();
      if (r && typeof (r as Promise<unknown>).then === 'function') await (r as Promise<unknown>);
      else if (r instanceof nsjoin.NsChildProcess) await new Promise((res, rej) => r.on('error', rej).on('close', res));
      got = 'no error';
    } catch (err) {
      got = classify(err);
    }
    if (!(Array.isArray(c.expect) ? c.expect : [c.expect]).includes(got))
      wrong.push(`${c.what}: expected ${[c.expect].flat().join(' or ')}, got ${got}`);
    if (c.starts) await new Promise((r) => setTimeout(r, 50));
    const now = ourChildren().join();
    if (now !== kids) wrong.push(`${c.what}: children ${kids} -> ${now}`);
  }
  console.log(`# hostile: ${cases.length} bad inputs tried, ${cases.length - wrong.length} as expected`);
  assert.equal(wrong, []);
  assert.equal(
    ourChildren().filter((p) => !before.includes(p) && p !== t.outerPid),
    [],
  );
  void api;
});

test('random values thrown at the raw addon never abort or crash the process', async () => {
  const cases = Number(process.env.NSJOIN_ADDON_FUZZ_RUNS ?? 100000);
  const r = await runFile(new URL('./scripts/addon-fuzz.ts', import.meta.url).pathname, {
    args: [String(t.pid), String(cases)],
    timeoutMs: 240_000,
  });
  const last = r.out.trim().split('\n').pop() ?? '';
  assert.is(r.signal, null, `the fuzzed process died of ${r.signal}: ${r.err.slice(-2000)}`);
  assert.is(r.code, 0, r.err.slice(-2000));
  console.log(`# hostile: ${last}`);
});

test.run();
