// What every nsjoin command shares: argument parsing (node:util parseArgs), the TARGET argument,
// one-line errors with a hint, human sizes and plain-text tables.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { NsError, ParseError } from '../errors.js';
import { findContainer, findPodContainer } from '../container-find.js';
import { containerTarget, type Target } from '../targets.js';
import { escapeJson, escapeText } from './escape.js';

/** A mistake on the command line: printed as one line with the command's usage hint, exit status 1. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses argv with parseArgs (strict), adding `--help`/`-h` unless the command uses -h itself.
 * Returns undefined after printing `help` when asked for it.
 */
export function parse(
  argv: string[],
  options: Options,
  help: string,
  command: string,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } | undefined {
  // -h means --help unless the command gives it another meaning (free -h: human sizes).
  const hTaken = Object.values(options).some((o) => o.short === 'h');
  const all: Options = { help: hTaken ? { type: 'boolean' } : { type: 'boolean', short: 'h' }, ...options };
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: all, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(
      (err as Error).message.split('\n')[0]!.replace(/\. To specify a positional.*$/, ''),
      `see 'nsjoin ${command} --help'`,
    );
  }
  if (parsed.values.help) {
    process.stdout.write(help.endsWith('\n') ? help : `${help}\n`);
    return undefined;
  }
  return parsed as { values: Record<string, string | boolean | undefined>; positionals: string[] };
}

/** What TARGET may be, for messages and help texts. */
export const TARGET_FORMS = 'a pid, a container name, id or id prefix, or NAMESPACE/POD[/CONTAINER]';

/**
 * TARGET on the command line: digits are a host pid; NAMESPACE/POD or NAMESPACE/POD/CONTAINER a
 * Kubernetes pod's container; anything else a container name, id or id prefix.
 */
export function parseTarget(text: string | undefined, command: string): Target {
  if (text === undefined || text === '') throw new UsageError(`missing TARGET (${TARGET_FORMS})`, `see 'nsjoin ${command} --help'`);
  if (/^\d+$/.test(text)) return Number(text);
  if (!text.includes('/')) return { container: text };
  const parts = text.split('/');
  if (parts.length > 3 || parts.some((p) => p === '')) {
    throw new UsageError(`TARGET '${text}' is not NAMESPACE/POD or NAMESPACE/POD/CONTAINER`, `see 'nsjoin ${command} --help'`);
  }
  const [namespace, pod, container] = parts as [string, string, string | undefined];
  return container === undefined ? { namespace, pod } : { namespace, pod, container };
}

/** Prints an error as one line on stderr (never a stack trace) and returns the exit status 1. */
export function reportError(err: unknown): number {
  process.stderr.write(`nsjoin: ${errorLine(err)}\n`);
  return 1;
}

/** The one line reportError prints: the message and what to do about it, control characters escaped. */
export function errorLine(err: unknown): string {
  return escapeText(describeError(err));
}

function describeError(err: unknown): string {
  if (err instanceof UsageError) return err.hint ? `${err.message} (hint: ${err.hint})` : err.message;
  if (err instanceof NsError) {
    const message = err.message.replace(/\s+/g, ' ').trim();
    switch (err.code) {
      case 'ENSJOIN_NO_CONTAINER':
      case 'ENSJOIN_AMBIGUOUS_CONTAINER':
        return `${message} (hint: 'nsjoin ps' lists them)`;
      case 'ESRCH':
        return `${message} (hint: is the process still running? 'nsjoin ps' lists containers)`;
      case 'EPERM':
      case 'EACCES':
        return process.getuid?.() === 0 ? message : `${message} (hint: this needs root; run it with sudo)`;
      default:
        return message;
    }
  }
  if (err instanceof ParseError) return `${err.message} (an unexpected kernel file format; please report it)`;
  if (err instanceof TypeError || err instanceof RangeError) return err.message;
  if (err instanceof Error) return (err as NodeJS.ErrnoException).code ? `${err.message}` : `${err.name}: ${err.message}`;
  return String(err);
}

/** Sizes as `free -h` prints them: binary units, one decimal below 10, suffixes B Ki Mi Gi Ti Pi. */
export function humanBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '-';
  if (!Number.isFinite(bytes)) return 'unlimited';
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return `${Math.round(v)}B`;
  return `${v < 10 ? v.toFixed(1) : Math.round(v)}${units[i]}`;
}

/** A rate in bytes per second, e.g. '1.2Mi/s'. */
export function humanRate(bytesPerSec: number | undefined): string {
  return bytesPerSec === undefined ? '-' : `${humanBytes(bytesPerSec)}/s`;
}

/** A percentage with one decimal, or '-' when unknown. */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : `${value.toFixed(1)}%`;
}

/**
 * Lays out rows as columns separated by two spaces (ps style). Columns listed in `right` are
 * right-aligned (numbers); the last column is never padded. Cells are printed escaped (escapeText):
 * they hold what containers named.
 */
export function table(header: string[], rows: string[][], right: number[] = []): string {
  const all = [header, ...rows].map((r) => r.map(escapeText));
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  return (
    all
      .map((r) =>
        r
          .map((cell, c) => {
            if (c === r.length - 1 && !right.includes(c)) return cell;
            return right.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!);
          })
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** A positive number of milliseconds from a flag, or the default. */
export function intervalMs(value: string | boolean | undefined, fallback: number, flag = 'interval'): number {
  if (value === undefined) return fallback;
  const ms = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(ms) || ms < 50 || ms > 3_600_000) {
    throw new UsageError(`--${flag} needs milliseconds from 50 to 3600000, got ${String(value)}`);
  }
  return ms;
}

/** Writes a value as pretty JSON; Infinity (an unlimited value) becomes null; no raw control characters (escapeJson). */
export function printJson(value: unknown): void {
  process.stdout.write(
    `${escapeJson(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2))}\n`,
  );
}

/** A TARGET resolved for display: its host pid and, for a container, which one. */
export interface ResolvedTarget {
  pid: number;
  container?: { id: string; runtime: string; name?: string; pod?: { name?: string; namespace?: string } };
  /** 'pid 1234', 'web1 3f2a1b4c5d6e (docker, pid 1234)' or 'shop/web/app 3f2a1b4c5d6e (containerd, pid 1234)'. */
  label: string;
}

/**
 * Resolves TARGET once, so that a command reads one process throughout.
 * @throws UsageError when missing or malformed; NsError ENSJOIN_NO_CONTAINER / ENSJOIN_AMBIGUOUS_CONTAINER
 */
export function resolveCliTarget(text: string | undefined, command: string): ResolvedTarget {
  return resolveParsedTarget(parseTarget(text, command));
}

/**
 * A parsed TARGET (parseTarget) as the one host pid a command acts on: a container or pod is looked
 * up here, once, and only its pid is passed on (never the name, to be looked up a second time).
 * @throws TypeError for a malformed name; NsError ENSJOIN_NO_CONTAINER / ENSJOIN_AMBIGUOUS_CONTAINER
 */
export function resolveParsedTarget(target: Target): ResolvedTarget {
  if (typeof target === 'number') return { pid: target, label: `pid ${target}` };
  const checked = containerTarget(target);
  if (!checked) throw new UsageError(`TARGET is not ${TARGET_FORMS}`);
  const c = 'pod' in checked ? findPodContainer(checked) : findContainer(checked.container);
  const container: NonNullable<ResolvedTarget['container']> = { id: c.id, runtime: c.runtime };
  if (c.name !== undefined) container.name = c.name;
  if (c.pod) container.pod = { name: c.pod.name, namespace: c.pod.namespace };
  return {
    pid: c.pid,
    container,
    label: `${displayName(c) ?? ''}${displayName(c) ? ' ' : ''}${c.id.slice(0, 12)} (${c.runtime}, pid ${c.pid})`,
  };
}

/** NAMESPACE/POD/CONTAINER for a pod's container, the runtime's name otherwise. */
export function displayName(c: { name?: string; pod?: { name?: string; namespace?: string }; sandbox?: boolean }): string | undefined {
  if (c.pod?.name !== undefined) return `${c.pod.namespace ?? '?'}/${c.pod.name}/${c.sandbox ? '(sandbox)' : (c.name ?? '?')}`;
  return c.name;
}

/**
 * docker's `-it` / `-ti` as `--interactive --tty`, before a `--` only (after it, the program's own
 * arguments). Taken whole: parseArgs would read `-it` as -i (exec's ipc) plus -t with a value.
 */
export function expandIt(argv: string[]): string[] {
  const dash = argv.indexOf('--');
  const before = dash < 0 ? argv : argv.slice(0, dash);
  const after = dash < 0 ? [] : argv.slice(dash);
  return [...before.flatMap((a) => (a === '-it' || a === '-ti' ? ['--interactive', '--tty'] : [a])), ...after];
}
