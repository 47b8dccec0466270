// A hostile container against the terminal of whoever runs nsjoin: its command line and an
// interface name hold escape sequences (set the window title, clear the screen, an 8-bit CSI,
// a carriage return and a fake status line). Every command prints them escaped, as text.
import * as assert from 'uvu/assert';
import { test } from 'uvu';
import { nsjoin } from '../helpers/cli.js';
import { startDocker, withRuntime } from '../helpers/runtimes.js';

// 13 bytes, a valid interface name: OSC 0 (window title) ended by BEL, U+009B (CSI), '2J'.
const IFNAME = '\x1b]0;pwn\x07\u009b2J';
const FAKE = '\r\x1b[2K\x1b[32mall containers OK\x1b[0m\u202e';
// What the terminal must never receive: C0 and C1 controls (but the newlines and tabs of our own
// layout), DEL and the bidi override.
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;

withRuntime('docker', "ns, net, stats and top print a container's escape sequences escaped", async () => {
  const c = startDocker({
    flags: ['--cap-add', 'NET_ADMIN'],
    cmd: ['sh', '-c', 'ip link add "$0" type veth && ip link set "$0" up; sleep 100000; :', IFNAME, FAKE],
  });
  try {
    const target = c.id.slice(0, 12);
    const shown = '\\x1b]0;pwn\\x07\\x9b2J';
    const runs: Array<[string, string[], string]> = [
      ['ns', ['ns', target], `: ${shown} \\x0d\\x1b[2K\\x1b[32mall`], // COMMAND is cut at 100 characters
      ['net', ['net', target], `: ${shown}\n`],
      ['stats', ['stats', target, '-i', '100'], shown],
      ['top', ['top', target, '-n', '1', '-i', '100'], shown],
    ];
    for (const [what, args, expected] of runs) {
      const r = await nsjoin(args);
      assert.is(r.status, 0, `${what}: ${r.stderr}`);
      assert.not.match(r.stdout, RAW, `${what}: no raw control character reaches the terminal`);
      assert.ok(r.stdout.includes(expected), `${what}: shows ${JSON.stringify(expected)} in\n${r.stdout}`);
    }
    // JSON keeps the exact value for programs, and no raw C1 character for terminals.
    const json = await nsjoin(['net', target, '--json']);
    assert.not.match(json.stdout, RAW);
    assert.ok((JSON.parse(json.stdout) as { devices: Array<{ name: string }> }).devices.some((d) => d.name === IFNAME));
  } finally {
    c.remove();
  }
});

test.run();
