// Run by hostile.test.ts in a process of its own: random and hostile values at every function of
// the raw addon. It must only ever return or throw (a JS exception); an abort, a crash or a hang
// ends this process and fails the test there. Values that the addon is entitled to act on (fds it
// will close, paths it will write) are kept to what this script owns, so that a valid-looking
// random spec cannot damage anything.
// argv: TARGET_PID CASES
import { spawn as nodeSpawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import fc from 'fast-check';
import { binding, type RawChild } from '../../../lib/binding.js';
import { readStartSync } from '../../../lib/start-report.js';

const [targetArg = '0', casesArg = '10000'] = process.argv.slice(2);
const target = Number(targetArg);
const CASES = Number(casesArg);
const b = binding() as unknown as Record<string, (...a: unknown[]) => unknown> & { Child: new (...a: unknown[]) => RawChild };

// Hostile shapes that fast-check does not make: throwing getters and traps, self-growing arrays.
const boom = () => {
  throw new Error('getter threw');
};
const hostile: unknown[] = [
  new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom }),
  Object.defineProperty({}, 'pid', { get: boom, enumerable: true }),
  new Proxy([1, 2, 3], { get: boom }),
  (() => {
    const a: unknown[] = [];
    Object.defineProperty(a, 0, {
      get() {
        a.push('x');
        return 'x';
      },
    });
    return a;
  })(),
  (() => {
    const a: unknown[] = [];
    Object.defineProperty(a, 0, {
      get() {
        a.push(1);
        return 1;
      },
    });
    return a;
  })(),
  Object.assign(new Array(2 ** 20 + 1), {}),
  Object.create(null),
  Symbol('s'),
  10n ** 30n,
  () => 1,
  -0,
  NaN,
  Infinity,
  -Infinity,
  2 ** 53,
  -(2 ** 31),
  2 ** 32,
  0.5,
  'a\0b',
  '\ud800',
  'x'.repeat(1 << 20),
  Buffer.from('abc'),
  new Uint8Array(4),
  new Date(NaN),
  /x/,
];
class Hostile {
  constructor(readonly index: number) {}
}
const real = (v: unknown): unknown => (v instanceof Hostile ? hostile[v.index] : v);
const junk = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.anything({
      maxDepth: 2,
      withBigInt: true,
      withNullPrototype: true,
      withTypedArray: true,
      withSparseArray: true,
      withObjectString: true,
      withBoxedValues: true,
    }),
  },
  // fast-check inspects generated values, which the hostile ones punish: pick them by index.
  { weight: 1, arbitrary: fc.nat(hostile.length - 1).map((i) => new Hostile(i)) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }) },
);

const SPEC_KEYS = [
  'pid',
  'pidfd',
  'nsMask',
  'setnsPidfd',
  'closeRange',
  'root',
  'cwd',
  'cwdFromTarget',
  'verifyCwd',
  'cwdFallbackToRoot',
  'freshSysfs',
  'freshProc',
  'setsid',
  'ctty',
  'dieWithParent',
  'uid',
  'gid',
  'setGroups',
  'groupsOptional',
  'groups',
  'stdio',
  'cgroupProcs',
  'argv',
  'envp',
  'execPaths',
];
function validSpec(): Record<string, unknown> {
  return {
    pid: target,
    pidfd: -1,
    nsMask: 0x04000000,
    setnsPidfd: true,
    closeRange: true,
    root: false,
    cwd: null,
    cwdFromTarget: false,
    verifyCwd: false,
    cwdFallbackToRoot: false,
    freshSysfs: false,
    freshProc: false,
    setsid: false,
    ctty: -1,
    dieWithParent: false,
    uid: -1,
    gid: -1,
    setGroups: false,
    groupsOptional: false,
    groups: [],
    stdio: [-1, -1, -1],
    cgroupProcs: [],
    argv: ['nsjoin-fuzz'],
    envp: [],
    execPaths: ['/nonexistent/nsjoin-fuzz'],
  };
}
/** A field's random value, kept away from what could act outside this process. */
function tame(key: string, v: unknown): unknown {
  const str = (s: unknown) => (typeof s === 'string' ? `/nonexistent/${s}` : s);
  if (key === 'execPaths' || key === 'cgroupProcs') {
    // A Proxy that throws reaches the addon as it is: the addon does not take it for an array.
    try {
      return Array.isArray(v) ? v.map(str) : v;
    } catch {
      return v;
    }
  }
  if (key === 'pid' && typeof v === 'number' && v >= 1 && v <= 4194304) return target;
  if (key === 'freshSysfs' || key === 'freshProc') return v === true ? false : v;
  return v;
}

let returned = 0,
  threw = 0,
  started = 0;
function attempt(fn: () => unknown): void {
  try {
    const r = fn() as { ok?: boolean; pidfd?: number; startFd?: number } | number | number[] | undefined;
    returned++;
    if (r && typeof r === 'object' && !Array.isArray(r) && r.ok === true) {
      // The program was created; its execve fails later (execPaths never exist) and is reported on
      // the start pipe. Reap it, then read that report: a program that really ran can only be a
      // programming error of this script.
      new b.Child(r.pidfd!).waitSync({ stdinFd: -1, outFds: [], timeoutMs: 0, killSignal: 9, maxBuffer: 0 });
      if (!readStartSync(r.startFd!)) started++;
    }
  } catch (err) {
    threw++;
    if (!(err instanceof Error)) throw new Error(`the addon threw a non-Error: ${String(err)}`, { cause: err });
  }
}

const sacrificial = nodeSpawn('sleep', ['1000'], { stdio: 'ignore' });
let child: RawChild | undefined;
const started0 = Date.now();
fc.assert(
  fc.property(
    fc.constantFrom(
      'spawn-whole',
      'spawn-field',
      'spawn-fields',
      'pipe',
      'pidfdOpen',
      'openat2',
      'kernelFeatures',
      'Child',
      'kill',
      'waitSync',
      'watch',
    ),
    fc.constantFrom(...SPEC_KEYS),
    junk,
    junk,
    (fn, key, w1, w2) => {
      const v1 = real(w1),
        v2 = real(w2);
      switch (fn) {
        case 'spawn-whole':
          attempt(() => b.spawn!(v1));
          attempt(() => b.spawn!());
          break;
        case 'spawn-field':
          attempt(() => b.spawn!({ ...validSpec(), [key]: tame(key, v1) }));
          break;
        case 'spawn-fields': {
          const spec = validSpec();
          for (const k of SPEC_KEYS) if (Math.random() < 0.3) spec[k] = tame(k, k === key ? v1 : v2);
          attempt(() => b.spawn!(spec));
          break;
        }
        case 'pipe':
          attempt(() => {
            const [r, w] = b.pipe!(v1) as [number, number];
            closeSync(r);
            closeSync(w);
          });
          break;
        case 'pidfdOpen':
          attempt(() => {
            const fd = b.pidfdOpen!(typeof v1 === 'number' && v1 >= 1 && v1 <= 4194304 ? target : v1) as number;
            if (fd >= 0) closeSync(fd);
          });
          break;
        // Paths only under /nonexistent: whatever the flags (O_CREAT, O_TRUNC), nothing is opened or made.
        case 'openat2':
          attempt(() => {
            const fd = b.openat2!(v1, typeof v2 === 'string' ? `/nonexistent/${v2}` : v2, v1, v1) as number;
            if (fd >= 0) closeSync(fd);
          });
          break;
        case 'kernelFeatures':
          attempt(() => b.kernelFeatures!(v1, v2));
          break;
        case 'Child':
          attempt(() => new b.Child(typeof v1 === 'number' ? -Math.abs(v1) - 1 : v1));
          attempt(() => (b.Child as unknown as (x: unknown) => unknown)(v1));
          break;
        case 'kill':
        case 'watch':
        case 'waitSync': {
          // One Child for all: a Child's pidfd is closed when it is collected, which could come after
          // the fd limit with thousands made in a loop that makes no garbage pressure.
          const c = (child ??= new b.Child(b.pidfdOpen!(sacrificial.pid!)));
          if (fn === 'kill') attempt(() => c.kill(typeof v1 === 'number' && v1 >= 1 && v1 < 65 ? 0 : (v1 as number)));
          // A function would be a real watch, held until the sleep ends: only junk here.
          if (fn === 'watch' && typeof v1 !== 'function') attempt(() => c.watch(v1 as never));
          // Every fd field is junk, so decoding must fail before anything is polled or closed.
          if (fn === 'waitSync')
            attempt(() => c.waitSync({ stdinFd: 'x', outFds: v1, timeoutMs: v2, killSignal: v1, maxBuffer: v2, input: v1 } as never));
          break;
        }
      }
    },
  ),
  { numRuns: CASES },
);
sacrificial.kill('SIGKILL');
console.log(
  `${CASES} fuzz cases (${returned} returns, ${threw} exceptions, ${started} starts) at the raw addon in ${((Date.now() - started0) / 1000).toFixed(1)} s, no abort`,
);
if (started > 0) process.exit(3);
process.exit(0);
