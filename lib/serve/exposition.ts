// The two exposition formats Prometheus scrapes: text format 0.0.4 and OpenMetrics 1.0.0, chosen by
// the scraper's Accept header. Both carry the same sample lines; they differ in the family headers
// (OpenMetrics names a counter family without its `_total` suffix) and in the closing `# EOF`.
import type { Collection } from './collect.js';
import { FAMILIES, type FamilyId } from './families.js';

/** 'text': Prometheus text format 0.0.4; 'openmetrics': OpenMetrics 1.0.0. */
export type ExpositionFormat = 'text' | 'openmetrics';

/** The Content-Type of each format. */
export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/**
 * The format an Accept header asks for: OpenMetrics when it lists `application/openmetrics-text`
 * with a quality above 0 and at least that of any text/plain or wildcard entry, text 0.0.4 otherwise
 * (also when there is no header).
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'text';
  let om = -1,
    other = -1;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) continue;
    if (type === 'application/openmetrics-text') om = Math.max(om, q);
    else if (type === 'text/plain' || type === '*/*' || type === 'text/*') other = Math.max(other, q);
  }
  return om > 0 && om >= other ? 'openmetrics' : 'text';
}

const escapeHelp = (help: string, format: ExpositionFormat): string =>
  help
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/"/g, format === 'openmetrics' ? '\\"' : '"');

/** Renders a collection in `format`: HELP and TYPE per family with samples, families in FAMILIES order. */
export function render(c: Collection, format: ExpositionFormat = 'text'): string {
  const parts: string[] = [];
  for (const id of Object.keys(FAMILIES) as FamilyId[]) {
    const lines = c.samples[id];
    if (lines.length === 0) continue;
    const f = FAMILIES[id];
    const name = format === 'openmetrics' && f.type === 'counter' ? f.name.replace(/_total$/, '') : f.name;
    parts.push(`# HELP ${name} ${escapeHelp(f.help, format)}\n# TYPE ${name} ${f.type}\n${lines.join('\n')}\n`);
  }
  if (format === 'openmetrics') parts.push('# EOF\n');
  return parts.join('');
}
