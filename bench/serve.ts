// nsjoin serve: one scrape of the bench's containers against reading their files (the read floor,
// found as bench/cgroup.ts finds it: the files a scrape opened, read to EOF, plus the /proc
// listing), prom-client against our own exposition for the same samples, and RSS over 10,000
// scrapes through the HTTP handler (concurrent scrapes sharing collections).
import { readdirSync } from 'node:fs';
import { createServer, request, Agent } from 'node:http';
import client from 'prom-client';
import { MetricsCollector, metricsHandler, metricsText } from '../lib/index.js';
import { collect } from '../lib/serve/collect.js';
import { render } from '../lib/serve/exposition.js';
import { FAMILIES, type FamilyId } from '../lib/serve/families.js';
import { readFloor } from './cgroup.js';
import { record } from '../test/helpers/fs-record.js';
import { makeContainers, removeCgroupsSync } from './fixtures.js';
import { gc, interleaveSync, makeFigure, makeRatio, rssMB, size, type GroupResult } from './harness.js';

interface Parsed {
  id: FamilyId;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a collection as values, for feeding prom-client. */
function parsed(): Parsed[] {
  const c = collect();
  const out: Parsed[] = [];
  for (const id of Object.keys(FAMILIES) as FamilyId[]) {
    for (const line of c.samples[id]) {
      const m = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line)!;
      const labels: Record<string, string> = {};
      for (const l of (m[1] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
      out.push({ id, labels, value: Number(m[2]) });
    }
  }
  return out;
}

const BASE = ['container', 'id', 'image', 'name', 'namespace', 'pod'];

/** A prom-client registry with one Gauge/Counter per family; a scrape sets every sample anew. */
function promClientScrape(samples: Parsed[]): () => Promise<string> {
  const registry = new client.Registry();
  const metrics = new Map<FamilyId, client.Gauge | client.Counter>();
  for (const [id, f] of Object.entries(FAMILIES) as Array<[FamilyId, (typeof FAMILIES)[FamilyId]]>) {
    const extra = (f as { extra?: string }).extra;
    const labelNames = id === 'scrapeError' ? [] : extra ? [...BASE, extra] : BASE;
    // Counters are set to the kernel's totals, which prom-client's Counter cannot do (inc only): a
    // Gauge with the counter's TYPE is what exporters built on it do; the cost is the same.
    metrics.set(id, new client.Gauge({ name: f.name, help: f.help, labelNames, registers: [registry] }));
  }
  return async () => {
    registry.resetMetrics();
    for (const s of samples) (metrics.get(s.id) as client.Gauge).set(s.labels, s.value);
    return registry.metrics();
  };
}

async function httpScrapes(count: number, inFlight: number, port: number, agent: Agent): Promise<void> {
  let left = count;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/metrics', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left-- > 0) await one();
    }),
  );
}

export async function serveGroup(): Promise<GroupResult> {
  const group = 'serve: scrape cost';
  const res: GroupResult = { group, ratios: [], figures: [], notes: [] };
  const count = size(500, 20);
  try {
    const made = await makeContainers(count);
    const c = collect();
    res.notes.push(
      `${made.length} bench cgroups made; a scrape finds ${c.containers} containers (others of this host included), ${c.samples.cpuUsage.length} CPU series, ${c.netns} network namespaces`,
    );
    const rec = record(() => {
      metricsText();
    });
    const floor = (): void => {
      readdirSync('/proc');
      readFloor(rec.read);
    };
    const [a, b] = interleaveSync([() => metricsText(), floor], size(15, 3), 1, 1);
    res.ratios.push(
      makeRatio(
        group,
        `one scrape (collect + text exposition) of ${c.containers} containers`,
        'metricsText()',
        `read floor (${rec.read.length} files, /proc listed)`,
        a!.map((x) => x / 1000),
        b!.map((x) => x / 1000),
        'ms',
        '<= 1.5',
        `beyond the floor: ${rec.probes} failed opens/existence checks, ${rec.listings} directory listings`,
      ),
    );

    // prom-client against our own exposition, the same samples, CPU time per exposition.
    const samples = parsed();
    const pc = promClientScrape(samples);
    const ownCollection = collect();
    const rounds = size(20, 3);
    const own: number[] = [],
      theirs: number[] = [];
    const cpu = (): number => {
      const u = process.cpuUsage();
      return u.user + u.system;
    };
    for (let r = -2; r < rounds; r++) {
      let t = cpu();
      await pc();
      const tp = cpu() - t;
      t = cpu();
      render(ownCollection, 'text');
      const to = cpu() - t;
      if (r >= 0) {
        theirs.push(tp / 1000);
        own.push(to / 1000);
      }
    }
    res.ratios.push(
      makeRatio(
        group,
        `exposition of ${samples.length} samples: prom-client (reset, set each, registry.metrics()) vs our lines`,
        'prom-client',
        'own exposition',
        theirs,
        own,
        'ms',
        '',
        'reported only: it decides which exposition nsjoin uses (README "nsjoin serve")',
      ),
    );
  } finally {
    removeCgroupsSync();
  }
  try {
    await makeContainers(size(20, 5));
    return await memoryFigures(res);
  } finally {
    removeCgroupsSync();
  }
}

/** RSS over 10,000 collections and over 10,000 scrapes, with a few containers (a collection of 500 takes too long for 10,000). */
async function memoryFigures(res: GroupResult): Promise<GroupResult> {
  const group = res.group;
  // RSS over 10,000 collections, each a full read of this host's containers.
  const direct = size(10_000, 100);
  for (let i = 0; i < size(500, 10); i++) metricsText();
  gc();
  const d0 = rssMB();
  for (let i = 0; i < direct; i++) {
    metricsText();
    // A turn of the event loop now and then, so that Ctrl-C (the fixtures' cleanup) is not held up.
    if (i % 100 === 99) await new Promise((r) => setImmediate(r));
  }
  gc();
  const d1 = rssMB();
  res.figures.push(
    makeFigure(
      group,
      `RSS growth over ${direct} metricsText() calls (a collection each, ${collect().containers} containers)`,
      d1 - d0,
      'MB',
      '< 10',
      `RSS ${d0.toFixed(1)} -> ${d1.toFixed(1)} MB`,
    ),
  );

  // RSS over 10,000 scrapes through the HTTP handler, 4 in flight (so that collections are shared).
  const collector = new MetricsCollector();
  const server = createServer(metricsHandler(collector));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  try {
    const scrapes = size(10_000, 100);
    await httpScrapes(size(1000, 20), 4, port, agent);
    await new Promise((r) => setTimeout(r, 50));
    gc();
    const r0 = rssMB();
    const before = collector.collections;
    await httpScrapes(scrapes, 4, port, agent);
    await new Promise((r) => setTimeout(r, 50));
    gc();
    const r1 = rssMB();
    res.figures.push(
      makeFigure(
        group,
        `RSS growth over ${scrapes} scrapes through metricsHandler (4 in flight, keep-alive)`,
        r1 - r0,
        'MB',
        '< 10',
        `RSS ${r0.toFixed(1)} -> ${r1.toFixed(1)} MB; ${collector.collections - before} collections served the ${scrapes} scrapes`,
      ),
    );
  } finally {
    agent.destroy();
    server.close();
  }
  return res;
}
