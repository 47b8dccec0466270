// The collector for embedding: `metricsText()` returns the exposition text, `metricsHandler()` is a
// request handler for an existing http.Server (and so for Express or Fastify's raw routes). Scrapes
// that arrive while a collection is under way share that collection instead of reading every
// cgroup again.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RootOptions } from '../targets.js';
import { collect, collectAsync, type Collection } from './collect.js';
import { CONTENT_TYPES, negotiateFormat, render, type ExpositionFormat } from './exposition.js';

/** Options of metricsText, MetricsCollector and metricsHandler. */
export interface MetricsOptions extends RootOptions {
  /** Exposition format (metricsText only; the handler negotiates it from Accept). Default 'text'. */
  format?: ExpositionFormat;
}

/**
 * Reads every container on this host now and returns the exposition text: cAdvisor's metric names,
 * types, units and labels (`id`, `name`, `image`, `pod`, `namespace`, `container`, plus `cpu`,
 * `interface`, `device`). Synchronous: pseudo-files only. `format` 'openmetrics' gives OpenMetrics 1.0.0.
 * Read failures do not throw: they set `container_scrape_error` to 1 (see `collectMetrics`).
 */
export function metricsText(options: MetricsOptions = {}): string {
  const { format, ...roots } = options;
  return render(collect(roots), format ?? 'text');
}

/**
 * Shares a collection between concurrent scrapes: a scrape joins the collection under way (which
 * gives the event loop a turn every few containers, so that scrapes arriving meanwhile are read),
 * or starts a new one. A scrape never gets a collection that ended before it arrived, so a
 * container removed before a scrape is not in it.
 */
export class MetricsCollector {
  /** Collections made so far (for tests and the bench). */
  collections = 0;
  private pending: Promise<Collection> | undefined;

  constructor(private readonly roots: RootOptions = {}) {}

  /** The collection under way, or a new one. */
  collect(): Promise<Collection> {
    this.pending ??= collectAsync(this.roots).then(
      (c) => {
        this.pending = undefined;
        this.collections++;
        return c;
      },
      (err: unknown) => {
        this.pending = undefined;
        throw err;
      },
    );
    return this.pending;
  }
}

// Scrapes that share a collection share its text too.
const rendered = new WeakMap<Collection, Partial<Record<ExpositionFormat, string>>>();
function renderOnce(c: Collection, format: ExpositionFormat): string {
  let texts = rendered.get(c);
  if (!texts) rendered.set(c, (texts = {}));
  return (texts[format] ??= render(c, format));
}

/**
 * A request handler serving the metrics: GET (and HEAD) only, 405 with `Allow: GET, HEAD` for other
 * methods; the format from the Accept header (text 0.0.4 or OpenMetrics). It does not look at the
 * path: mount it where the metrics belong (`app.get('/metrics', metricsHandler())`, or call it for
 * `/metrics` from a plain http.Server's 'request' listener). A failed collection is a 500 with a
 * one-line reason.
 */
export function metricsHandler(options: RootOptions | MetricsCollector = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const collector = options instanceof MetricsCollector ? options : new MetricsCollector(options);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('only GET and HEAD\n');
      return;
    }
    const format = negotiateFormat(req.headers.accept);
    collector.collect().then(
      (c) => {
        const body = renderOnce(c, format);
        res.writeHead(200, { 'Content-Type': CONTENT_TYPES[format], 'Content-Length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`collection failed: ${String((err as Error).message ?? err).split('\n')[0]}\n`);
      },
    );
  };
}
