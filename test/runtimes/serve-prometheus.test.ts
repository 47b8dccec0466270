// A real Prometheus (Debian's package, unpacked by scripts/runtimes/prometheus.sh; loopback only,
// scrape interval 1 s, its own temporary data directory, killed by pid and removed afterwards)
// scrapes `nsjoin serve`: the target is up, the kubernetes-mixin's CPU query finds the container
// that did the work, and a removed container's series go stale at once (no explicit timestamps).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, runtimeProblems, startDocker, withRuntime } from '../helpers/runtimes.js';
import { namesAndImagesKnown, prometheusBin, startServe } from '../helpers/serve.js';

const mixinTestable = namesAndImagesKnown();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

interface PromVector {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(base: string, promql: string): Promise<PromVector[]> {
  const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await r.json()) as { status: string; data: { result: PromVector[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
  return body.data.result;
}

async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${typeof last === 'string' ? last : JSON.stringify(last)}` : ''}`);
}

withRuntime(
  'docker',
  "Prometheus scrapes nsjoin serve: target up, the mixin's CPU query finds the busy container, a removed one goes stale",
  async () => {
    const bin = prometheusBin();
    const busy = startDocker();
    const idle = startDocker();
    const served = await startServe();
    const dir = mkdtempSync(join(tmpdir(), 'nsjoin-prom-'));
    const port = await freePort();
    const target = new URL(served.url).host;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: nsjoin\n    honor_labels: true\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    const prom = spawn(
      `${bin}/prometheus`,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let promLog = '';
    prom.stderr!.on('data', (b) => {
      promLog += b;
    });
    const promExit = new Promise((r) => prom.on('close', r));
    const base = `http://127.0.0.1:${port}`;
    try {
      await until('prometheus ready', 60_000, async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined));
      const up = await until('target up', 30_000, async () => {
        const r = await query(base, 'up{job="nsjoin"}');
        return r[0]?.value[1] === '1' ? r : undefined;
      });
      assert.is(up.length, 1);
      // Real CPU work in one container for a few seconds.
      docker('exec', '-d', busy.name, 'timeout', '8', 'sh', '-c', 'while :; do :; done');
      await sleep(9000);
      const byId = async (c: { id: string }) => {
        const r = await query(base, `sum by (id)(rate(container_cpu_usage_seconds_total{id=~".*${c.id}"}[1m]))`);
        return Number(r[0]?.value[1] ?? NaN);
      };
      const busyRate = await byId(busy),
        idleRate = await byId(idle);
      // The host is shared (2 cores, many users; the loop got 0.3 of a core at load 7): some CPU for the busy one, none for the sleeper.
      assert.ok(busyRate > 0.02, `busy container's rate ${busyRate}`);
      assert.ok(idleRate < busyRate / 20, `idle container's rate ${idleRate} against ${busyRate}`);
      // The kubernetes-mixin's own query, which needs the image label (issue 12's runtime state).
      if (mixinTestable) {
        const mixin = await query(base, 'sum by (namespace,pod,container)(rate(container_cpu_usage_seconds_total{image!=""}[1m]))');
        assert.ok(mixin.length >= 1, 'the mixin query returns series');
        const top = await query(base, `sum by (name)(rate(container_cpu_usage_seconds_total{image!="",name="${busy.name}"}[1m]))`);
        assert.ok(Number(top[0]?.value[1]) > 0.02, "the busy container found by the mixin's selector");
      }
      // Removed between two scrapes: the next scrape lacks it, so Prometheus marks it stale at once.
      const idleSeries = `container_memory_usage_bytes{id=~".*${idle.id}"}`;
      assert.is((await query(base, idleSeries)).length, 1);
      idle.remove();
      await until('stale series', 10_000, async () => ((await query(base, idleSeries)).length === 0 ? true : undefined));
      assert.is((await query(base, `container_memory_usage_bytes{id=~".*${busy.id}"}`)).length, 1, 'the other container is still there');
    } catch (err) {
      console.log(`prometheus log:\n${promLog}`);
      throw err;
    } finally {
      prom.kill('SIGTERM');
      const killer = setTimeout(() => prom.kill('SIGKILL'), 10_000);
      await promExit;
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
      await served.stop();
      idle.remove();
      busy.remove();
    }
  },
);

// Issue 12 adds image and name to listContainers(); until then the mixin's own query has nothing to select.
if (!mixinTestable && !runtimeProblems().docker) {
  console.log('SKIP the kubernetes-mixin query with image!="": listContainers() gives no image yet (the real-runtimes work, issue 12)');
  test.skip('the kubernetes-mixin query with image!="" returns the busy container', () => {});
}

test.run();
