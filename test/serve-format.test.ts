// The exposition formats, Accept negotiation, label escaping, cAdvisor's weight-to-shares
// conversion, and the handler's sharing of one collection between concurrent scrapes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import {
  METRIC_FAMILIES,
  MetricsCollector,
  metricsHandler,
  negotiateFormat,
  renderMetrics,
  weightToShares,
  type MetricsCollection,
} from '../lib/index.js';
import { escapeLabel } from '../lib/serve/collect.js';

const empty = (): MetricsCollection => ({
  samples: Object.fromEntries(Object.keys(METRIC_FAMILIES).map((k) => [k, []])) as unknown as MetricsCollection['samples'],
  containers: 0,
  pods: 0,
  netns: 0,
  errors: 0,
});

test('Accept: OpenMetrics when the scraper prefers it, text 0.0.4 otherwise', () => {
  // What Prometheus 2.x sends.
  assert.is(
    negotiateFormat(
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    ),
    'openmetrics',
  );
  assert.is(negotiateFormat('text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5'), 'text');
  assert.is(negotiateFormat('application/openmetrics-text;q=0'), 'text');
  assert.is(negotiateFormat(undefined), 'text');
  assert.is(negotiateFormat('*/*'), 'text');
});

test('text and OpenMetrics: HELP/TYPE per family; counter families without _total in OpenMetrics; # EOF', () => {
  const c = empty();
  c.samples.cpuUsage.push('container_cpu_usage_seconds_total{container="",id="/x",image="",name="",namespace="",pod="",cpu="total"} 1.5');
  c.samples.memoryUsage.push('container_memory_usage_bytes{container="",id="/x",image="",name="",namespace="",pod=""} 4096');
  const text = renderMetrics(c, 'text');
  assert.is(
    text,
    [
      '# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.',
      '# TYPE container_cpu_usage_seconds_total counter',
      'container_cpu_usage_seconds_total{container="",id="/x",image="",name="",namespace="",pod="",cpu="total"} 1.5',
      '# HELP container_memory_usage_bytes Current memory usage in bytes, including all memory regardless of when it was accessed',
      '# TYPE container_memory_usage_bytes gauge',
      'container_memory_usage_bytes{container="",id="/x",image="",name="",namespace="",pod=""} 4096',
      '',
    ].join('\n'),
  );
  const om = renderMetrics(c, 'openmetrics');
  assert.match(om, /^# TYPE container_cpu_usage_seconds counter$/m);
  assert.match(om, /^# TYPE container_memory_usage_bytes gauge$/m);
  assert.ok(om.endsWith('\n# EOF\n'));
});

test("cAdvisor's names and types for every family the issue lists", () => {
  const byName = new Map(Object.values(METRIC_FAMILIES).map((f) => [f.name, f.type]));
  for (const n of [
    'container_cpu_usage_seconds_total',
    'container_cpu_user_seconds_total',
    'container_cpu_system_seconds_total',
    'container_cpu_cfs_periods_total',
    'container_cpu_cfs_throttled_periods_total',
    'container_cpu_cfs_throttled_seconds_total',
    'container_oom_events_total',
    'container_fs_reads_bytes_total',
    'container_fs_writes_bytes_total',
    ...['receive', 'transmit'].flatMap((d) =>
      ['bytes', 'packets', 'errors', 'packets_dropped'].map((k) => `container_network_${d}_${k}_total`),
    ),
    ...['cpu', 'memory', 'io'].flatMap((r) => ['waiting', 'stalled'].map((k) => `container_pressure_${r}_${k}_seconds_total`)),
  ]) {
    assert.is(byName.get(n), 'counter', n);
  }
  for (const n of [
    'container_memory_working_set_bytes',
    'container_memory_usage_bytes',
    'container_memory_rss',
    'container_memory_cache',
    'container_memory_swap',
    'container_spec_memory_limit_bytes',
    'container_spec_cpu_quota',
    'container_spec_cpu_period',
    'container_spec_cpu_shares',
    'container_processes',
    'container_threads',
    'container_threads_max',
    'container_start_time_seconds',
  ]) {
    assert.is(byName.get(n), 'gauge', n);
  }
});

test('label values: backslash, double quote and newline escaped; nothing else touched', () => {
  assert.is(escapeLabel('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  assert.is(escapeLabel('/kubepods/pod1/ab:c{}'), '/kubepods/pod1/ab:c{}');
});

test('cgroup v2 cpu.weight to shares as cAdvisor converts it (1..10000 to 2..262144)', () => {
  assert.is(weightToShares(1), 2);
  assert.is(weightToShares(10000), 262144);
  assert.is(weightToShares(100), 2597); // the default weight
  assert.is(weightToShares(39), 998); // kubelet's weight for 1024 shares (one CPU requested) comes back as 998
});

test('scrapes while a collection is under way share it; a later one makes a new collection', async () => {
  const collector = new MetricsCollector();
  const same = await Promise.all(Array.from({ length: 20 }, () => collector.collect()));
  assert.is(collector.collections, 1, '20 scrapes in one turn of the event loop, one collection');
  assert.ok(same.every((c) => c === same[0]));
  await new Promise((r) => setTimeout(r, 1000));
  await collector.collect();
  assert.is(collector.collections, 2, 'a scrape a second later is not a concurrent one');
});

test('over HTTP: 20 concurrent scrapes are served by fewer collections, with the same text per collection', async () => {
  const collector = new MetricsCollector();
  const handle = metricsHandler(collector);
  // The 20 requests are held until all have arrived, so they are concurrent whatever the host's
  // load (on a quiet host one collection can end before the next request is even parsed).
  const held: Array<() => void> = [];
  const server = createServer((req, res) => {
    held.push(() => handle(req, res));
    if (held.length === 20) for (const go of held) go();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  try {
    const bodies = await Promise.all(Array.from({ length: 20 }, () => fetch(url).then((r) => r.text())));
    assert.is(collector.collections, 1, `${collector.collections} collections for 20 concurrent scrapes`);
    assert.ok(new Set(bodies).size <= collector.collections, 'one text per collection');
  } finally {
    server.close();
  }
});

test.run();
