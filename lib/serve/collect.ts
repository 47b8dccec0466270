// One collection for `nsjoin serve`: every container on this host (listContainers), the cgroup
// snapshot of each (readCgroupStats), its network namespace's /proc/PID/net/dev, and for Kubernetes
// pods a pod-level series too, all as sample lines under cAdvisor's names and labels. Synchronous:
// pseudo-files only. What differs from cAdvisor on purpose (README "nsjoin serve"):
// - a network namespace is counted once: a pod's on the pod-level series (container=""), shared by
//   all its containers; a plain container's on its own series; the host's namespace not at all;
// - the pod-level series has container="" and image="", the sandbox container="POD", so that
//   sum(...{container!="",container!="POD"}) counts each container once and sum(...{container=""})
//   each pod once (cAdvisor's users filter on the same values);
// - no sample carries a timestamp (Prometheus' staleness handling removes what is gone), and a
//   container that is gone is simply not in the next collection.
import type { CgroupLocation } from '../cgroup/types.js';
import { listContainers, type Container } from '../containers.js';
import type { RootOptions } from '../targets.js';
import { Collector } from './collector.js';
import { FAMILIES, type FamilyId } from './families.js';

export { MAX_INTERFACES } from './collector.js';
export { escapeLabel, formatValue, weightToShares } from './labels.js';

/** What one collection found: sample lines (`name{labels} value`) per family, and counts. */
export interface Collection {
  samples: Record<FamilyId, string[]>;
  /** Container series written (pods' own series not counted). */
  containers: number;
  /** Pod-level series written. */
  pods: number;
  /** Network namespaces read (each once). */
  netns: number;
  /** Reads that failed for a reason other than the container having gone away. */
  errors: number;
}

/**
 * Reads every container on this host once and returns its samples under cAdvisor's metric names
 * and labels (see FAMILIES): one series set per container, one per Kubernetes pod (the pod's own
 * cgroup, container=""), network once per network namespace. Containers that exit during the
 * collection are left out; other read failures (procRoot not listable, EACCES, a malformed file)
 * are counted in `errors` and set container_scrape_error to 1: it does not throw for them.
 */
export function collect(roots: RootOptions = {}): Collection {
  const run = steps(roots);
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
  }
}

/**
 * As `collect`, but gives the event loop a turn after every `chunk` containers, so that a server
 * stays responsive during a collection of many containers and scrapes that arrive meanwhile can
 * join it (MetricsCollector).
 */
export async function collectAsync(roots: RootOptions = {}, chunk = 10): Promise<Collection> {
  // The first turn too: requests already read from their sockets join before any file is read.
  await new Promise((resolve) => setImmediate(resolve));
  const run = steps(roots);
  for (let n = 1; ; n++) {
    const r = run.next();
    if (r.done) return r.value;
    if (n % chunk === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The collection, one step (yield) per container or pod. */
function* steps(roots: RootOptions): Generator<void, Collection> {
  const col = new Collector(roots);
  let all: Container[] = [];
  try {
    all = listContainers(roots);
  } catch {
    col.errors++;
  }
  yield;
  const pods = new Map<string, { members: Container[]; loc?: CgroupLocation }>();
  // Sandboxes first, so that a pod's network is read from its sandbox when it has one.
  for (const c of all.filter((x) => x.sandbox).concat(all.filter((x) => !x.sandbox))) {
    const loc = col.container(c);
    if (c.pod && loc) {
      let p = pods.get(c.pod.uid);
      if (!p) pods.set(c.pod.uid, (p = { members: [] }));
      p.members.push(c);
      p.loc ??= loc;
    }
    yield;
  }
  for (const p of pods.values()) {
    col.pod(p.members, p.loc!);
    yield;
  }
  col.networks();
  col.samples.scrapeError.push(`${FAMILIES.scrapeError.name} ${col.errors > 0 ? 1 : 0}`);
  return { samples: col.samples, containers: col.containers, pods: col.pods, netns: col.netns, errors: col.errors };
}
