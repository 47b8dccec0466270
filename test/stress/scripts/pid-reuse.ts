// Run by faults.test.ts as pid 1 of a pid namespace of its own (unshare --pid --fork --mount-proc),
// where ns_last_pid hands out the pid we choose. A victim process is started in a uts namespace
// ("victim"); at the chosen moment inside nsjoin it is killed, reaped, and an intruder in another
// uts namespace ("intruder") is started with the victim's pid. nsjoin must refuse (ESRCH) and never
// run the program in the intruder's namespaces.
// argv: WINDOW ('anchor': right after the target is resolved, before /proc is read; 'native': after
// /proc was read, before the addon joins) and API ('spawn' | 'spawnSync' | 'execFile').
import { spawn as nodeSpawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binding } from '../../../lib/binding.js';
import { execFile, spawnSync, NsError } from '../../../lib/index.js';

const [window = 'native', api = 'execFile'] = process.argv.slice(-2);
const dir = mkdtempSync(join(tmpdir(), 'nsjoin-reuse-'));
const fifoIn = join(dir, 'in'),
  fifoOut = join(dir, 'out');
const mk = nodeSpawn('mkfifo', [fifoIn, fifoOut]);
await new Promise((r) => mk.on('exit', r));

// The conductor: parent of the victim (so that it can reap it at once) and of the intruder.
const script = `
unshare --uts -- sh -c 'hostname victim; exec sleep 1000' & A=$!
while [ "$(cat /proc/$A/comm 2>/dev/null)" != sleep ]; do :; done
echo $A > ${dir}/a
read cmd < ${fifoIn}
kill -9 $A; wait $A
echo $((A - 1)) > /proc/sys/kernel/ns_last_pid
unshare --uts -- sh -c 'hostname intruder; exec sleep 1000' & B=$!
while [ "$(cat /proc/$B/comm 2>/dev/null)" != sleep ]; do :; done
echo $B > ${fifoOut}
wait`;
const conductor = nodeSpawn('/bin/sh', ['-c', script], { stdio: 'inherit' });
let victim = 0;
for (let i = 0; i < 500 && !victim; i++) {
  try {
    victim = Number(readFileSync(join(dir, 'a'), 'utf8').trim());
  } catch {
    await new Promise((r) => setTimeout(r, 10));
  }
}
let intruder = 0;
function reuse(): void {
  writeFileSync(fifoIn, 'go\n');
  intruder = Number(readFileSync(fifoOut, 'utf8').trim());
}

const b = binding() as unknown as Record<string, (...a: unknown[]) => unknown>;
const hooked = window === 'anchor' ? 'pidfdOpen' : 'spawn';
const real = b[hooked]!;
let fired = false;
b[hooked] = (...args: unknown[]) => {
  if (window === 'anchor') {
    const r = real(...args);
    if (!fired) {
      fired = true;
      reuse();
    }
    return r;
  }
  if (!fired) {
    fired = true;
    reuse();
  }
  return real(...args);
};

const opts = { namespaces: ['uts' as const], env: { PATH: '/usr/bin:/bin' } };
let outcome: string;
try {
  if (api === 'spawnSync') {
    const r = spawnSync(victim, 'hostname', [], opts);
    outcome = r.error ? `error ${(r.error as NsError).code}` : `ran ${r.stdout!.toString().trim()}`;
  } else {
    const r = await execFile(victim, 'hostname', [], opts);
    outcome = `ran ${r.stdout.trim()}`;
  }
} catch (err) {
  outcome = `error ${(err as NsError).code} ${(err as Error).message}`;
}
console.log(JSON.stringify({ victim, intruder, fired, outcome }));
conductor.kill('SIGKILL');
try {
  process.kill(intruder, 'SIGKILL');
} catch {
  /* gone */
}
rmSync(dir, { recursive: true, force: true });
process.exit(0);
