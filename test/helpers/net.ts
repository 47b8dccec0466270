// Test scaffolding for network tests: veth pairs between test-made network namespaces and UDP
// traffic of a known size, generated with `nsenter -t PID -n` (the test may use nsenter; the library
// never does). Nothing here touches the host's own network namespace: veths are created inside a
// target's namespace with their peer placed directly in another test namespace. Every process it
// starts is killed by pid when the test process exits.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const PATH_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
const sinks = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of sinks)
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
});

let counter = 0;
/** A short suffix unique to this test process and call: interface names stay within 15 characters. */
export function uniq(): string {
  counter += 1;
  return `${(process.pid % 46656).toString(36)}${counter.toString(36)}`;
}

/** Runs a command inside the network namespace of `pid` and returns its stdout. */
export function inNet(pid: number, args: string[]): string {
  return execFileSync('nsenter', ['-t', String(pid), '-n', '--', ...args], {
    env: PATH_ENV,
    encoding: 'utf8',
    timeout: 20_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Both ends of a veth pair and their IPv4 addresses. */
export interface Veth {
  a: { pid: number; name: string; addr: string };
  b: { pid: number; name: string; addr: string };
}

/**
 * Creates veth `nameA` in the network namespace of `pidA` with peer `nameB` directly in that of
 * `pidB`, addresses 10.213.N.1/24 and .2/24, IPv6 off on both ends (no router solicitations or MLD
 * noise in the counters), both up (operstate up when it returns).
 */
export function makeVeth(pidA: number, nameA: string, pidB: number, nameB: string, subnet: number): Veth {
  inNet(pidA, ['ip', 'link', 'add', nameA, 'type', 'veth', 'peer', 'name', nameB, 'netns', String(pidB)]);
  const veth: Veth = {
    a: { pid: pidA, name: nameA, addr: `10.213.${subnet}.1` },
    b: { pid: pidB, name: nameB, addr: `10.213.${subnet}.2` },
  };
  for (const end of [veth.a, veth.b]) {
    inNet(end.pid, ['sh', '-c', `echo 1 > /proc/sys/net/ipv6/conf/${end.name}/disable_ipv6`]);
    inNet(end.pid, ['ip', 'addr', 'add', `${end.addr}/24`, 'dev', end.name]);
    inNet(end.pid, ['ip', 'link', 'set', end.name, 'up']);
  }
  // The kernel's link watcher may take up to a second to mark a new link operationally up.
  for (const end of [veth.a, veth.b]) {
    for (let i = 0; !/state UP/.test(inNet(end.pid, ['ip', '-o', 'link', 'show', 'dev', end.name])); i++) {
      if (i > 300) throw new Error(`${end.name} did not come up`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
  return veth;
}

/** Deletes a veth from inside `pid`'s namespace (which removes its peer too); no error if it is gone. */
export function deleteVeth(pid: number, name: string): void {
  try {
    inNet(pid, ['ip', 'link', 'del', name]);
  } catch {
    /* already gone, or the namespace is */
  }
}

/** Brings the loopback of `pid`'s namespace up (a fresh namespace has it down). */
export function loopbackUp(pid: number): void {
  inNet(pid, ['ip', 'link', 'set', 'lo', 'up']);
}

const SINK = `
const d = require('node:dgram'); const [addr, port, want] = process.argv.slice(1);
let n = 0, bytes = 0; const s = d.createSocket('udp4');
s.on('message', (m) => { n++; bytes += m.length; if (n >= Number(want)) { console.log('GOT', n, bytes); process.exit(0); } });
s.bind(Number(port), addr, () => console.log('READY'));
setTimeout(() => { console.log('GOT', n, bytes); process.exit(1); }, 15000);
`;

const SEND = `
const d = require('node:dgram'); const [addr, port, count, size] = process.argv.slice(1).map((v, i) => i ? Number(v) : v);
const s = d.createSocket('udp4'); const buf = Buffer.alloc(size, 120); let i = 0;
const next = () => { if (i++ >= count) { s.close(); return; } s.send(buf, port, addr, (e) => { if (e) { console.error(e); process.exit(1); } setTimeout(next, 1); }); };
next();
`;

/** What a sink received. */
export interface Received {
  packets: number;
  bytes: number;
}

/**
 * Sends `count` UDP datagrams of `size` payload bytes from inside `fromPid`'s network namespace to
 * addr:port, where a receiver runs inside `toPid`'s namespace; resolves when the receiver has them
 * all (rejects after 15 s). On the wire each one is size + 28 (IPv4, UDP) + 14 (Ethernet header,
 * also on loopback) bytes.
 */
export async function sendUdp(fromPid: number, toPid: number, addr: string, port: number, count: number, size: number): Promise<Received> {
  const sink = spawn('nsenter', ['-t', String(toPid), '-n', '--', process.execPath, '-e', SINK, addr, String(port), String(count)], {
    env: PATH_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  sinks.add(sink);
  try {
    let out = '';
    let err = '';
    sink.stderr.on('data', (b) => {
      err += b;
    });
    const done = new Promise<Received>((resolve, reject) => {
      sink.stdout.on('data', (b) => {
        out += b;
        const m = /GOT (\d+) (\d+)/.exec(out);
        if (m) resolve({ packets: Number(m[1]), bytes: Number(m[2]) });
      });
      sink.on('exit', (code) => {
        if (!/GOT/.test(out)) reject(new Error(`udp sink exited ${code}: ${err}`));
      });
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`udp sink did not start: ${err}`)), 10_000);
      sink.stdout.on('data', () => {
        if (out.includes('READY')) {
          clearTimeout(timer);
          resolve();
        }
      });
      sink.on('exit', () => {
        clearTimeout(timer);
        reject(new Error(`udp sink exited: ${err}`));
      });
    });
    await execFileAsync(
      'nsenter',
      ['-t', String(fromPid), '-n', '--', process.execPath, '-e', SEND, addr, String(port), String(count), String(size)],
      { env: PATH_ENV, timeout: 20_000 },
    );
    return await done;
  } finally {
    try {
      sink.kill('SIGKILL');
    } catch {
      /* gone */
    }
    sinks.delete(sink);
  }
}
