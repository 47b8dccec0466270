// Building findings: one place for the shape, and the worst of several severities.
import { SEVERITIES, type Finding, type Severity } from '../types.js';

/** A finding; `refs` are CIS Docker Benchmark 1.6.0 ids ('5.4' becomes 'CIS-5.4'). */
export function finding(id: string, severity: Severity, title: string, evidence: string[], cis: string[] = []): Finding {
  return { id, severity, title, evidence: capLines(evidence), refs: cis.map((c) => `CIS-${c}`) };
}

/** The most severe of `list` ('info' for none). */
export function worst(list: Severity[]): Severity {
  return list.reduce<Severity>((a, b) => (SEVERITIES.indexOf(b) > SEVERITIES.indexOf(a) ? b : a), 'info');
}

/** At most `max` evidence lines: a hostile container can make thousands of mounts. */
export function capLines(lines: string[], max = 20): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max), `... and ${lines.length - max} more`];
}
