// `npm run demo`: makes a throwaway "container" (a process in fresh uts, net, ipc, pid, mnt and
// cgroup namespaces, with its own hostname, a veth pair and a tmpfs only it can see, in a memory
// cgroup limited to 64 MiB), looks into it with nsjoin, and removes it again.
// The target is made with util-linux `unshare`, as a container runtime would; nsjoin itself never
// runs unshare or nsenter.
import { spawn as nodeSpawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { execFile, namespacesOf, readCgroupStats, readNetDev, spawn } from '../lib/index.js';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (s: string) => console.log(`\n${bold('▸ ' + s)}`);

/** A cgroup with 64 MiB of memory and half a CPU, v1 (one directory per controller) or v2. */
function makeCgroup(): { dirs: string[]; limits: Array<[string, string]> } | undefined {
  const name = `nsjoin-demo-${process.pid}`;
  if (existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes') && existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')) {
    const dirs = ['memory', 'cpu', 'cpuacct'].filter((c) => existsSync(`/sys/fs/cgroup/${c}`)).map((c) => `/sys/fs/cgroup/${c}/${name}`);
    return {
      dirs,
      limits: [
        [`/sys/fs/cgroup/memory/${name}/memory.limit_in_bytes`, '64M'],
        [`/sys/fs/cgroup/cpu/${name}/cpu.cfs_quota_us`, '50000'],
      ],
    };
  }
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    writeFileSync('/sys/fs/cgroup/cgroup.subtree_control', '+memory +cpu');
    const dir = `/sys/fs/cgroup/${name}`;
    return {
      dirs: [dir],
      limits: [
        [`${dir}/memory.max`, '64M'],
        [`${dir}/cpu.max`, '50000 100000'],
      ],
    };
  }
  return undefined;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.error('nsjoin demo: run as root (it creates namespaces and a cgroup, and joins them)');
    process.exit(1);
  }
  const cgroup = makeCgroup();
  if (cgroup) {
    for (const d of cgroup.dirs) mkdirSync(d);
    for (const [file, value] of cgroup.limits) writeFileSync(file, value);
  }
  const setup = [
    'hostname demo-container',
    'ip link set lo up',
    'ip link add eth0 type veth peer name eth1 && ip addr add 10.99.0.1/24 dev eth0 && ip link set eth0 up && ip link set eth1 up',
    'mount -t tmpfs -o size=8m tmpfs /mnt && echo "hello from inside" > /mnt/secret.txt',
    'mount -t sysfs sysfs /sys',
    'cd /mnt',
    'echo READY',
    'exec sleep 100000',
  ].join('\n');
  const enter = (cgroup?.dirs ?? []).map((d) => `echo $$ > ${d}/cgroup.procs; `).join('');
  const target = nodeSpawn(
    'sh',
    ['-c', `${enter}exec unshare --uts --net --ipc --pid --mount --cgroup --fork --mount-proc sh -c '${setup}'`],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', APP_ENV: 'production', HOME: '/root' },
    },
  );
  const cleanup = () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    target.kill('SIGKILL');
  };
  let pid = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      target.stdout.on('data', (b: Buffer) => {
        if (b.includes('READY')) resolve();
      });
      target.on('exit', () => reject(new Error('the demo target did not start (is util-linux unshare installed?)')));
    });
    pid = Number(readFileSync(`/proc/${target.pid}/task/${target.pid}/children`, 'utf8').trim().split(' ')[0]);

    step(`A throwaway container: host pid ${pid}, made with unshare`);
    const ours = namespacesOf(process.pid),
      theirs = namespacesOf(pid);
    for (const t of ['uts', 'net', 'ipc', 'pid', 'mnt', 'cgroup'] as const) {
      console.log(`  ${t.padEnd(6)} ours ${ours[t]!.inode}  theirs ${theirs[t]!.inode}`);
    }

    step("execFile(pid, 'sh', ['-c', ...]): a shell inside it, joining every namespace that differs from ours");
    const t0 = performance.now();
    const { stdout } = await execFile(pid, 'sh', [
      '-c',
      'echo "hostname: $(hostname)"; echo "my pid inside: $$"; echo "cwd: $(pwd)"; echo "APP_ENV=$APP_ENV"; echo "files: $(cat /mnt/secret.txt)"; echo "devices: $(ls /sys/class/net 2>/dev/null | tr "\\n" " ")"; ip -brief addr',
    ]);
    const ms = performance.now() - t0;
    console.log(stdout.replace(/^/gm, '  ').trimEnd());
    console.log(`  (${ms.toFixed(1)} ms, no nsenter binary; env and cwd are the target's)`);

    step('The same from the host, without joining: the file and hostname are not here');
    console.log(`  host hostname: ${readFileSync('/proc/sys/kernel/hostname', 'utf8').trim()}`);
    console.log(`  /mnt/secret.txt on the host: ${existsSync('/mnt/secret.txt') ? 'exists' : 'absent'}`);

    step("spawn(pid, 'sleep', ['60']) and kill(): the program is our direct child, killed through a pidfd");
    const child = spawn(pid, 'sleep', ['60']);
    await new Promise((r) => child.on('spawn', r));
    console.log(
      `  host pid ${child.pid}, parent ${readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]} (us: ${process.pid})`,
    );
    child.kill();
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
    console.log(`  exit: code ${code}, signal ${signal}`);

    step('Traffic inside, read from the host: readNetDev(pid)');
    const before = readNetDev(pid);
    // 100 UDP datagrams of 1000 bytes to a closed port on the container's loopback (each answered
    // by an ICMP error, counted too), sent by a Node run inside it
    // (this demo's mount namespace is a copy of the host's, so our node binary is visible there).
    const send =
      "const s=require('dgram').createSocket('udp4');let n=0;const go=()=>s.send(Buffer.alloc(1000),9,'127.0.0.1',()=>++n<100?go():s.close());go()";
    await execFile(pid, process.execPath, ['-e', send]);
    const after = readNetDev(pid);
    for (const dev of after.devices) {
      const prev = before.devices.find((d) => d.name === dev.name);
      console.log(`  ${dev.name.padEnd(5)} rx ${dev.rx.bytes} B (+${dev.rx.bytes - (prev?.rx.bytes ?? 0)})  tx ${dev.tx.bytes} B`);
    }

    if (cgroup) {
      step('What it really has: readCgroupStats(pid), not what `free` inside would claim');
      const s = readCgroupStats(pid);
      const mib = (n: number | null | undefined) => (n === null || n === undefined ? 'unlimited' : `${(n / 1048576).toFixed(1)} MiB`);
      console.log(
        `  mode ${s.mode}; memory limit ${mib(s.memory?.limit)}, working set ${mib(s.memory?.workingSet)}, usage ${mib(s.memory?.usage)}`,
      );
      console.log(
        `  cpu limit ${s.cpu?.limitCores ?? 'unlimited'} cores; used ${((s.cpu?.usageNs ?? 0) / 1e6).toFixed(1)} ms of CPU so far`,
      );
    }
  } finally {
    cleanup();
    for (const dir of cgroup?.dirs ?? []) {
      for (let i = 0; i < 100 && existsSync(dir); i++) {
        try {
          rmdirSync(dir);
        } catch {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
    step('Cleaned up: target killed, cgroup removed');
  }
}

main().catch((err) => {
  console.error(`nsjoin demo: ${(err as Error).message}`);
  process.exit(1);
});
