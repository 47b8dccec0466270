// The read commands of the nsjoin CLI, spawned as a user runs them, against a container made here:
// a process in a real cgroup named docker/<id> with a 64 MiB memory limit, in its own network and
// UTS namespaces. Also: --help everywhere, one-line errors with exit status 1.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readlinkSync } from 'node:fs';
import { hostMode } from './helpers/cgroup.js';
import { nsjoin } from './helpers/cli.js';
import { makeRuntimeCgroups, type RuntimeCgroups } from './helpers/runtime-cgroups.js';

const MiB = 1024 * 1024;
// Ids unique to this process: other runs of this file on the same host make containers too, and
// the CLI lists every container of the host (a constant id merged theirs with ours: wrong oldest pid).
const PFX = `c11e${(process.pid % 0x10000).toString(16).padStart(4, '0')}`;
const ID = `${PFX}${'0123456789abcdef'.repeat(4)}`.slice(0, 64);
const ID2 = `${PFX}${'fedcba9876543210'.repeat(4)}`.slice(0, 64);
const PATH = `docker/${ID}`;
let rt: RuntimeCgroups;
let pid: number;

test.before(async () => {
  rt = makeRuntimeCgroups('cli', [PATH, `docker/${ID2}`], ['memory', 'cpu', 'cpuacct', 'pids']);
  rt.limit(PATH, { memory: 64 * MiB, pids: 50 });
  pid = await rt.start(PATH, `unshare --net --uts sleep 100000`);
  await rt.start(`docker/${ID2}`);
});
test.after(async () => {
  await rt.remove();
});

function oneLineError(r: { status: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.is(r.status, 1, `exit status: ${r.stderr}`);
  assert.is(r.stdout, '');
  assert.is(r.stderr.split('\n').length, 2, `one line: ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, /^nsjoin: /);
  assert.match(r.stderr, pattern);
  assert.not.match(r.stderr, /\n\s+at /); // no stack trace
}

test('ps --json lists the container with its runtime, oldest pid, memory limit and CPU', async () => {
  const r = await nsjoin(['ps', '--json', '-i', '200']);
  assert.is(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Array<{
    id: string;
    runtime: string;
    pid: number;
    pids: number[];
    memory: { limit: number; used: number } | null;
    cpu: { cores: number } | null;
  }>;
  const row = rows.find((x) => x.id === ID);
  assert.ok(row, r.stdout);
  assert.is(row.runtime, 'docker');
  assert.is(row.pid, pid);
  assert.is(row.memory?.limit, 64 * MiB);
  assert.ok(row.memory!.used > 0);
  assert.type(row.cpu?.cores, 'number');
});

test('ps prints a table with the short id, name, image, runtime and pid', async () => {
  const r = await nsjoin(['ps', '-i', '100']);
  assert.is(r.status, 0, r.stderr);
  const [header, ...rows] = r.stdout.trimEnd().split('\n');
  assert.match(header!, /^CONTAINER ID\s+NAME\s+IMAGE\s+RUNTIME\s+PID\s+PROCS\s+NAMESPACE\s+POD\s+QOS\s+CPU %\s+MEM USED \/ LIMIT$/);
  const row = rows.find((l) => l.startsWith(ID.slice(0, 12)));
  assert.ok(row, r.stdout);
  // a cgroup made here, not by dockerd: no state files, so no name and no image
  assert.match(row, new RegExp(`^${ID.slice(0, 12)}\\s+-\\s+-\\s+docker\\s+${pid}\\s+1\\s+-\\s+-\\s+-\\s+[\\d.]+%\\s+\\S+ / 64Mi$`));
});

test('free: Mem total is the limit (KiB), used + free = total; -h; --json in bytes; --meminfo', async () => {
  const r = await nsjoin(['free', ID.slice(0, 10)]);
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^\s+total\s+used\s+free\s+shared\s+buff\/cache\s+available$/);
  const mem = lines[1]!.split(/\s+/);
  assert.is(mem[0], 'Mem:');
  assert.is(Number(mem[1]), 65536);
  assert.is(Number(mem[2]) + Number(mem[3]), 65536);
  assert.match(lines[2]!, /^Swap:\s+\d+\s+\d+\s+\d+$/);
  const h = await nsjoin(['free', '-h', ID.slice(0, 10)]);
  assert.match(h.stdout.split('\n')[1]!, /^Mem:\s+64Mi\s/);
  const j = await nsjoin(['free', '--json', String(pid)]);
  const view = JSON.parse(j.stdout) as { total: number; used: number; free: number; pid: number };
  assert.is(view.total, 64 * MiB);
  assert.is(view.used + view.free, view.total);
  const m = await nsjoin(['free', '--meminfo', ID.slice(0, 10)]);
  assert.match(m.stdout, /^MemTotal:\s+65536 kB\nMemFree:\s+\d+ kB\nMemAvailable:/);
});

test('stats: CPU, memory against the 64Mi limit, pids against 50, network; --json', async () => {
  const r = await nsjoin(['stats', '-i', '300', ID.slice(0, 10)]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^${ID.slice(0, 12)} \\(docker, pid ${pid}\\)  cgroup ${hostMode()}\\n`));
  assert.match(r.stdout, /^CPU\s+[\d.]+ cores used \([\d.]+%\) {2}limit unlimited/m);
  assert.match(r.stdout, /^Memory\s+\S+ used \/ 64Mi \([\d.]+%\) {2}usage \S+/m);
  assert.match(r.stdout, /^PIDs\s+1 \/ 50$/m);
  assert.match(r.stdout, /^Net\s+rx 0B\/s {2}tx 0B\/s {2}\(no interface but lo\)$/m);
  const j = await nsjoin(['stats', '--json', '-i', '100', ID.slice(0, 10)]);
  const s = JSON.parse(j.stdout) as {
    pid: number;
    container: { id: string };
    stats: { memory: { limit: number } };
    rates: { cpu: { cores: number } };
  };
  assert.is(s.pid, pid);
  assert.is(s.container.id, ID);
  assert.is(s.stats.memory.limit, 64 * MiB);
  assert.type(s.rates.cpu.cores, 'number');
});

test("net: the container's own interfaces, ip -s link style; --json", async () => {
  const r = await nsjoin(['net', ID.slice(0, 10)]);
  assert.is(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /^1: lo\n {4}RX:\s+bytes packets errors dropped fifo frame mcast\n\s+\d+(\s+\d+){6}\n {4}TX:\s+bytes packets errors dropped fifo carrier collsns\n\s+\d+(\s+\d+){6}\n$/,
  );
  const j = JSON.parse((await nsjoin(['net', '--json', String(pid)])).stdout) as { devices: Array<{ name: string }>; netns: number };
  assert.equal(
    j.devices.map((d) => d.name),
    ['lo'],
  );
  assert.is(`net:[${j.netns}]`, readlinkSync(`/proc/${pid}/ns/net`));
});

test('ns TARGET: the namespaces of the container, new net and uts among them', async () => {
  const r = await nsjoin(['ns', '--json', ID.slice(0, 10)]);
  assert.is(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Array<{ type: string; inode: number; pid: number }>;
  for (const type of ['net', 'uts', 'mnt', 'pid']) {
    const row = rows.find((x) => x.type === type);
    assert.ok(row, type);
    assert.is(`${type}:[${row.inode}]`, readlinkSync(`/proc/${pid}/ns/${type}`));
  }
  assert.is(rows.find((x) => x.type === 'net')!.pid, pid);
  const t = await nsjoin(['ns', '-t', 'net', String(pid)]);
  assert.match(t.stdout, new RegExp(`^\\s+NS\\s+TYPE\\s+NPROCS\\s+PID\\s+COMMAND\\n\\s*\\d+\\s+net\\s+1\\s+${pid}\\s+sleep 100000\\n$`));
});

test('an unknown container is one line on stderr and exit status 1, for every command', async () => {
  for (const cmd of [['free'], ['stats'], ['net'], ['top'], ['ns'], ['exec', '-t']]) {
    const r = await nsjoin([...cmd, 'ffff0000dead', ...(cmd[0] === 'exec' ? ['--', 'true'] : [])]);
    oneLineError(r, /no container matches 'ffff0000dead'.*nsjoin ps/);
  }
});

test('an ambiguous prefix lists the matches in one line', async () => {
  const r = await nsjoin(['free', PFX]);
  oneLineError(
    r,
    new RegExp(
      `matches 2 containers: .*${ID.slice(0, 12)}.*${ID2.slice(0, 12)}|matches 2 containers: .*${ID2.slice(0, 12)}.*${ID.slice(0, 12)}`,
    ),
  );
});

test('usage errors and gone processes are one line too', async () => {
  oneLineError(await nsjoin(['free']), /missing TARGET.*nsjoin free --help/);
  oneLineError(await nsjoin(['stats', '--bogus', '1']), /Unknown option '--bogus'/);
  oneLineError(await nsjoin(['bogus']), /unknown command 'bogus'/);
  oneLineError(await nsjoin(['stats', '4194000']), /ESRCH|ENOENT|no such process/i);
  oneLineError(await nsjoin(['top', '-n', 'x', String(pid)]), /--iterations needs a positive integer/);
});

test('a command that needs root says so when run as another user', async () => {
  const r = await nsjoin(['exec', '-t', String(pid), '-u', '--', 'true'], {
    wrap: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
  });
  oneLineError(r, /needs root/);
});

test('--help on every command, exit status 0', async () => {
  for (const cmd of ['exec', 'ps', 'ns', 'stats', 'free', 'net', 'top']) {
    const r = await nsjoin([cmd, '--help']);
    assert.is(r.status, 0, cmd);
    assert.match(r.stdout, new RegExp(`^Usage: nsjoin ${cmd} `), cmd);
  }
  const r = await nsjoin(['--help']);
  assert.is(r.status, 0);
  for (const cmd of ['exec', 'ps', 'ns', 'stats', 'free', 'net', 'top']) assert.match(r.stdout, new RegExp(`^  ${cmd} `, 'm'));
});

test.run();
