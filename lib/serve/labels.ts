// Label and value text of `nsjoin serve` samples, as cAdvisor writes them (names, order, escaping).
import type { Container } from '../containers.js';

/** A label value as the text format wants it: backslash, double quote and newline escaped. */
export function escapeLabel(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

/** A sample value: integers and floats as JavaScript prints them (Prometheus parses both), +Inf/-Inf/NaN spelled out. */
export function formatValue(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

/** The base labels, in cAdvisor's (sorted) order: container, id, image, name, namespace, pod. */
export function baseLabels(l: { container: string; id: string; image: string; name: string; namespace: string; pod: string }): string {
  return `container="${escapeLabel(l.container)}",id="${escapeLabel(l.id)}",image="${escapeLabel(l.image)}",name="${escapeLabel(l.name)}",namespace="${escapeLabel(l.namespace)}",pod="${escapeLabel(l.pod)}"`;
}

/** The base labels of a container's series: container="POD" for a pod's sandbox, "" outside pods. */
export function containerLabels(c: Container): string {
  return baseLabels({
    container: c.sandbox ? 'POD' : c.pod ? (c.name ?? '') : '',
    id: c.cgroup,
    image: c.image ?? '',
    name: c.name ?? '',
    namespace: c.pod?.namespace ?? '',
    pod: c.pod?.name ?? '',
  });
}

/** cAdvisor's conversion of a cgroup v2 cpu.weight (1-10000) to v1 shares (2-262144). */
export function weightToShares(weight: number): number {
  return 2 + Math.floor(((weight - 1) * 262142) / 9999);
}
