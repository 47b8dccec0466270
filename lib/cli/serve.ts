// nsjoin serve: the Prometheus exporter. GET /metrics under cAdvisor's names (lib/serve), on
// loopback unless --listen says otherwise; stops on SIGTERM/SIGINT after the scrapes in flight.
import { createServer } from 'node:http';
import { metricsHandler } from '../serve/handler.js';
import { parse, UsageError } from './common.js';

/** Usage of `nsjoin serve`. */
export const help = `Usage: nsjoin serve [--listen HOST:PORT]

Serves Prometheus metrics of every container on this host at GET /metrics,
under cAdvisor's names and labels (container_cpu_usage_seconds_total, ...),
in text format 0.0.4, or OpenMetrics when the scraper asks for it.

Options:
  -l, --listen HOST:PORT  address to listen on (default 127.0.0.1:9101; loopback
                          unless given: use 0.0.0.0:9101 or [::]:9101 for all)
  -h, --help              show this help
`;

/** The default address: loopback only, so that nothing is exposed unless asked for. */
export const DEFAULT_LISTEN = '127.0.0.1:9101';

/** Splits HOST:PORT ('[::1]:9101' for IPv6); port 0 picks a free port. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen needs HOST:PORT (e.g. 127.0.0.1:9101 or [::1]:9101), got '${text}'`);
  return { host: (m[1] ?? m[2])!, port };
}

/** Runs `nsjoin serve`; resolves with the exit status once stopped by SIGTERM or SIGINT. */
export async function run(argv: string[]): Promise<number> {
  const args = parse(argv, { listen: { type: 'string', short: 'l' } }, help, 'serve');
  if (!args) return 0;
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`, "see 'nsjoin serve --help'");
  const { host, port } = parseListen(typeof args.values['listen'] === 'string' ? args.values['listen'] : DEFAULT_LISTEN);
  const handle = metricsHandler();
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/metrics') return handle(req, res);
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('nsjoin serve: metrics are at /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    const why =
      err.code === 'EADDRINUSE'
        ? 'the address is already in use (another exporter running?)'
        : err.code === 'EACCES'
          ? 'permission denied (ports below 1024 need root)'
          : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
            ? 'no such local address'
            : err.message;
    throw new UsageError(`cannot listen on ${host}:${port}: ${why} (${err.code ?? 'error'})`);
  });
  const addr = server.address();
  const shown =
    typeof addr === 'object' && addr
      ? addr.family === 'IPv6'
        ? `[${addr.address}]:${addr.port}`
        : `${addr.address}:${addr.port}`
      : `${host}:${port}`;
  process.stderr.write(`nsjoin serve: listening on http://${shown}/metrics\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      // Scrapes in flight finish; idle keep-alive connections are closed so that close() returns.
      server.close(() => resolve());
      server.closeIdleConnections();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  process.stderr.write('nsjoin serve: stopped\n');
  return 0;
}
