// A web terminal into containers: a small HTTP + WebSocket server and an xterm.js page that
// opens a shell in a chosen container through nsjoin's pty (spawn with `pty`).
//
//   sudo node --import tsx examples/web-terminal/server.ts [--port 8022] [--host 127.0.0.1]
//
//   add --host-pids to also allow shells for processes that are in no container (host shells)
//
// It prints a URL with a one-time token. Anyone with that URL gets a root shell in any container
// of this host: it listens on loopback by default, checks the token on every request and then the
// exact Origin of every WebSocket (no cross-site pages, no sandboxed `Origin: null`), answers 400 to
// a request it cannot parse, and runs nothing until a page connects. Targets are containers (an id
// prefix, or a pid inside one) unless host pids are allowed explicitly.
// In a package of your own, import from 'nsjoin' instead of the repository's lib/.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { listContainers, spawn, type NsChildProcess, type Target } from '../../lib/index.js';

/** Options of startWebTerminal. */
export interface WebTerminalOptions {
  /** Address to listen on. Default '127.0.0.1': the page gives root shells, keep it local. */
  host?: string;
  /** Port; 0 lets the kernel choose. Default 8022. */
  port?: number;
  /** Secret the page must present; default: 24 random bytes, hex. */
  token?: string;
  /** Program and arguments run in the container; default: bash if it has one, else sh. */
  command?: string[];
  /** Also open shells for pids that are in no container, on the host itself. Default false. */
  hostPids?: boolean;
  /** The one Origin a WebSocket may come from. Default `http://` + the request's Host header: our page. */
  origin?: string;
}

/** A running web terminal server. */
export interface WebTerminal {
  /** The page's URL, token included. */
  url: string;
  server: Server;
  /** Stops listening and ends every session (SIGHUP, then SIGKILL after one second). */
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// The container's own environment has no TERM (no terminal started it); xterm.js is an xterm.
const DEFAULT_COMMAND = ['/bin/sh', '-c', 'TERM=xterm-256color; export TERM; command -v bash >/dev/null 2>&1 && exec bash -i; exec sh -i'];

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: join(here, 'index.html'), type: 'text/html; charset=utf-8' },
  '/xterm.js': { file: require.resolve('@xterm/xterm/lib/xterm.js'), type: 'text/javascript' },
  '/xterm.css': { file: require.resolve('@xterm/xterm/css/xterm.css'), type: 'text/css' },
  '/addon-fit.js': { file: require.resolve('@xterm/addon-fit/lib/addon-fit.js'), type: 'text/javascript' },
};

/** The request target as a URL, or undefined when it is not a path (`GET http://[ HTTP/1.1`, `GET * ...`). */
function parseUrl(raw: string | undefined): URL | undefined {
  if (raw === undefined || !raw.startsWith('/') || raw.startsWith('//')) return undefined;
  try {
    return new URL(raw, 'http://localhost');
  } catch {
    return undefined;
  }
}

/**
 * What a session may open: a container by id prefix, or a pid, which must be in a container unless
 * host pids are allowed. Throws an Error whose message the page shows.
 */
function sessionTarget(text: string, hostPids: boolean): Target {
  if (!/^\d+$/.test(text)) return { container: text };
  const pid = Number(text);
  if (hostPids || listContainers().some((c) => c.pids.includes(pid))) return pid;
  throw new Error(`pid ${pid} is in no container: this server opens container shells only (start it with --host-pids for host shells)`);
}

/**
 * Starts the server. Resolves once it listens.
 * @throws (rejects) the listen error (EADDRINUSE, EACCES).
 */
export async function startWebTerminal(options: WebTerminalOptions = {}): Promise<WebTerminal> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const command = options.command ?? DEFAULT_COMMAND;
  const sessions = new Set<NsChildProcess>();
  const hostPids = options.hostPids ?? false;

  const tokenOk = (url: URL) => {
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const want = Buffer.from(token);
    return given.length === want.length && timingSafeEqual(given, want);
  };

  const server = createServer((req, res) => {
    const url = parseUrl(req.url);
    if (!url) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request\n');
      return;
    }
    const asset = ASSETS[url.pathname];
    // The page itself needs the token (so it can pass it on); the static scripts do not.
    if (url.pathname === '/containers' || url.pathname === '/') {
      if (!tokenOk(url)) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('bad or missing token\n');
        return;
      }
    }
    if (url.pathname === '/containers') {
      let list: Array<{ id: string; runtime: string; pid: number }> = [];
      try {
        list = listContainers().map((c) => ({ id: c.id, runtime: c.runtime, pid: c.pid }));
      } catch {
        /* no /proc access: the page still takes a pid */
      }
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(list));
      return;
    }
    if (!asset || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(readFileSync(asset.file));
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  // Requests the HTTP parser rejects (a broken request line, bad headers) get a 400, not a crash.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = parseUrl(req.url);
    if (!url) {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    // The token first: nothing else is looked at for a request without it.
    if (!tokenOk(url)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    // A page of another site could open this WebSocket with the user's network position: only
    // our own page may. Compared as strings: `null` (sandboxed frames, file: pages) never matches.
    const want = options.origin ?? (req.headers.host === undefined ? undefined : `http://${req.headers.host}`);
    if (want === undefined || req.headers.origin !== want || url.pathname !== '/session') {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => session(ws, url));
  });

  function session(ws: WebSocket, url: URL): void {
    const dim = (name: string, dflt: number) => {
      const n = Number(url.searchParams.get(name));
      return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : dflt;
    };
    const send = (msg: object) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    let child: NsChildProcess;
    try {
      child = spawn(sessionTarget(url.searchParams.get('target') ?? '', hostPids), command[0]!, command.slice(1), {
        pty: { cols: dim('cols', 80), rows: dim('rows', 24) },
      });
    } catch (err) {
      send({ t: 'error', message: (err as Error).message });
      ws.close();
      return;
    }
    sessions.add(child);
    child.on('error', (err) => {
      send({ t: 'error', message: err.message });
      ws.close();
    });
    // Output goes as binary frames: the browser decodes UTF-8 across frame boundaries itself.
    child.pty?.on('data', (b: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(b);
    });
    child.on('exit', (code, signal) => {
      sessions.delete(child);
      // Let the last output through before the page is told.
      setTimeout(() => {
        send({ t: 'exit', code, signal });
        ws.close();
        child.pty?.destroy();
      }, 100);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      let msg: { t?: unknown; d?: unknown; cols?: unknown; rows?: unknown };
      try {
        msg = JSON.parse((data as Buffer).toString()) as typeof msg; // ws delivers Buffers (binaryType nodebuffer)
      } catch {
        return;
      }
      if (msg.t === 'i' && typeof msg.d === 'string') child.pty?.write(msg.d);
      else if (msg.t === 'r' && typeof msg.cols === 'number' && typeof msg.rows === 'number') {
        try {
          child.resize(msg.cols, msg.rows);
        } catch {
          /* bad size or already closed */
        }
      }
    });
    // A closed tab hangs up the terminal, as closing an xterm window does.
    ws.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGHUP');
        setTimeout(() => child.kill('SIGKILL'), 1000).unref();
      }
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8022, options.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const hostPart = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${hostPart}:${addr.port}/?token=${token}`,
    server,
    async close() {
      for (const c of sessions) c.kill('SIGHUP');
      const deadline = setTimeout(() => {
        for (const c of sessions) c.kill('SIGKILL');
      }, 1000);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      wss.close();
      clearTimeout(deadline);
      for (const c of sessions) c.kill('SIGKILL');
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const t = await startWebTerminal({
    host: arg('host') ?? '127.0.0.1',
    port: Number(arg('port') ?? 8022),
    hostPids: process.argv.includes('--host-pids'),
  });
  process.stdout.write(`web terminal: ${t.url}\n`);
  const stop = () => {
    void t.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
