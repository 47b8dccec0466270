// The web terminal example against what a browser or a stranger can send it: `Origin: null` (a
// sandboxed iframe), other origins, no token, request lines the URL parser rejects, garbage; and
// targets: container shells only, a host pid only when the server was started to allow it.
import { connect } from 'node:net';
import * as assert from 'uvu/assert';
import { test } from 'uvu';
import WebSocket from 'ws';
import { startWebTerminal, type WebTerminal } from '../../examples/web-terminal/server.js';
import { startDocker, withRuntime } from '../helpers/runtimes.js';

const TOKEN = 'a'.repeat(48);

/** Sends raw bytes and returns the status line of the answer ('' when the server just closed). */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(request));
    let text = '';
    s.on('data', (b) => {
      text += b.toString();
      if (text.includes('\r\n')) s.destroy();
    });
    s.on('close', () => resolve(text.split('\r\n')[0]!));
    s.on('error', reject);
    s.setTimeout(5000, () => {
      s.destroy();
      reject(new Error(`no answer to ${JSON.stringify(request.slice(0, 40))}`));
    });
  });
}

function upgrade(port: number, target: string, headers: Record<string, string>): string {
  const lines = [
    `GET ${target} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Opens a session on `target`, types `input`, resolves with what came back until `until` shows up or an error message. */
function session(port: number, target: string, input: string, until: RegExp): Promise<{ output: string; error?: string }> {
  return new Promise((resolve, reject) => {
    const url = `ws://127.0.0.1:${port}/session?token=${TOKEN}&target=${encodeURIComponent(target)}`;
    const ws = new WebSocket(url, { origin: `http://127.0.0.1:${port}` });
    let output = '';
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no ${until} from ${target}; got ${JSON.stringify(output)}`));
    }, 15_000);
    const done = (r: { output: string; error?: string }) => {
      clearTimeout(timer);
      ws.close();
      resolve(r);
    };
    ws.on('open', () => ws.send(JSON.stringify({ t: 'i', d: input })));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        const msg = JSON.parse((data as Buffer).toString()) as { t: string; message?: string };
        if (msg.t === 'error') done({ output, error: msg.message! });
        return;
      }
      output += (data as Buffer).toString();
      if (until.test(output)) done({ output });
    });
    ws.on('error', reject);
  });
}

withRuntime(
  'docker',
  'web terminal: Origin null, foreign origins, no token and malformed requests are refused, and the server lives on',
  async () => {
    const web = await startWebTerminal({ host: '127.0.0.1', port: 0, token: TOKEN });
    try {
      const port = Number(new URL(web.url).port);
      const good = `/session?token=${TOKEN}`;
      const cases: Array<[string, string, string]> = [
        ['Origin: null with the token', upgrade(port, good, { Origin: 'null' }), '403'],
        ['Origin: null without a token', upgrade(port, '/session', { Origin: 'null' }), '403'],
        ['an unparsable Origin', upgrade(port, good, { Origin: 'http://[' }), '403'],
        ['a look-alike origin', upgrade(port, good, { Origin: `http://127.0.0.1:${port}.example.org` }), '403'],
        ['no Origin', upgrade(port, good, {}), '403'],
        ['our origin, a wrong token', upgrade(port, `/session?token=${'b'.repeat(48)}`, { Origin: `http://127.0.0.1:${port}` }), '403'],
        ['an upgrade to an unparsable URL', upgrade(port, '//[', { Origin: `http://127.0.0.1:${port}` }), '400'],
        ['GET of an unparsable URL', `GET //[?token=${TOKEN} HTTP/1.1\r\nHost: x\r\n\r\n`, '400'],
        ['GET of an absolute URL', `GET http://[::1/?token=${TOKEN} HTTP/1.1\r\nHost: x\r\n\r\n`, '400'],
        ['a garbage request line', 'HELLO\x00\x01 there\r\n\r\n', '400'],
      ];
      for (const [what, request, status] of cases) {
        const line = await raw(port, request);
        assert.ok(line.startsWith(`HTTP/1.1 ${status}`), `${what}: ${JSON.stringify(line)}`);
      }
      assert.ok(
        (await raw(port, `GET /?token=${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`)).startsWith('HTTP/1.1 200'),
        'still serving',
      );
    } finally {
      await web.close();
    }
  },
);

withRuntime('docker', 'web terminal: container shells only; a host pid only with hostPids', async () => {
  const c = startDocker();
  const web = await startWebTerminal({ host: '127.0.0.1', port: 0, token: TOKEN });
  let open: WebTerminal | undefined;
  try {
    const port = Number(new URL(web.url).port);
    const host = await session(port, String(process.pid), 'echo reached-$((6*7))\n', /reached-42/);
    assert.match(host.error ?? '', /in no container/, 'a host pid is refused');
    assert.not.match(host.output, /reached-42/);
    for (const target of [c.id.slice(0, 12), String(c.pid)]) {
      const s = await session(port, target, 'hostname; echo ok-$((6*7))\n', /ok-42/);
      assert.is(s.error, undefined, `${target}: ${s.error}`);
      assert.ok(s.output.includes(c.id.slice(0, 12)), `${target}: the container's hostname`);
    }
    open = await startWebTerminal({ host: '127.0.0.1', port: 0, token: TOKEN, hostPids: true });
    const openPort = Number(new URL(open.url).port);
    const allowed = await session(openPort, String(process.pid), 'echo reached-$((6*7))\n', /reached-42/);
    assert.is(allowed.error, undefined, 'hostPids: true opens a host shell');
  } finally {
    await open?.close();
    await web.close();
    c.remove();
  }
});

test.run();
