// Reading a runtime's own state files (docker's config.v2.json, an OCI bundle's config.json,
// podman's containers.json). They live on the host and are written by the runtime, so they are
// trusted as to where they are, but parts of their content come from the image or the user (labels,
// env, names, Kubernetes annotations), so: sizes are bounded, the last path component is never
// followed when it is a symlink, only regular files are read (a FIFO would block), and every string
// we hand out is bounded (printing escapes it). Anything unreadable is `undefined`: a container
// that vanished mid-read is simply not named.
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { readFdText } from '../io.js';

/** Largest state file read (docker's config.v2.json with a big env is a few hundred KiB). */
export const STATE_FILE_MAX = 8 * 1024 * 1024;
/** Longest name, image or pod field kept (Kubernetes names are at most 253 characters). */
export const FIELD_MAX = 1024;

/** The file's text, or undefined when absent, not a regular file, a symlink, or over `max` bytes. */
export function readStateFile(path: string, max = STATE_FILE_MAX): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > max) return undefined;
    return readFdText(fd, path, undefined, max); // EFBIG (caught) when it grew past max while read
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** A state file parsed as JSON, or undefined (absent, too big, not JSON). */
export function readStateJson(path: string, max = STATE_FILE_MAX): unknown {
  const text = readStateFile(path, max);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A plain object's property, or undefined when `value` is not a plain object. */
export function field(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * A name, image or pod field: undefined unless a non-empty string; cut at FIELD_MAX characters.
 * The value is kept exact otherwise (the library and --json give what the runtime recorded); whoever
 * prints it escapes it (the CLI through cli/escape.ts: a name never reaches a terminal raw).
 */
export function cleanText(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return value.length > FIELD_MAX ? value.slice(0, FIELD_MAX) : value;
}

/** String values of an OCI `annotations` object (others dropped). */
export function annotationsOf(config: unknown): Record<string, string> {
  const raw = field(config, 'annotations');
  const out: Record<string, string> = {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * A pid file written by a runtime or its shim (containerd's init.pid, conmon's pidfile): the pid,
 * or null when absent, empty or not a pid.
 */
export function readPidFile(path: string): number | null {
  const text = readStateFile(path, 32)?.trim();
  if (!text || !/^\d{1,7}$/.test(text)) return null;
  const pid = Number(text);
  return pid >= 1 && pid <= 4_194_304 ? pid : null;
}

/** What a runtime's state files say about one container; every field optional. */
export interface RuntimeMeta {
  /**
   * The container's init pid as the runtime recorded it: null when the runtime says it is not
   * running. Names are only given to a scanned container whose pids include it, so that a process
   * in a cgroup named like another container (a nested cgroup made by a hostile container) never
   * borrows that container's name. Undefined for sources that record no pid.
   */
  initPid?: number | null;
  /** Set when the state file says which runtime runs it (the cgroup path may not). */
  runtime?: 'docker' | 'containerd' | 'cri-o' | 'podman';
  name?: string;
  image?: string;
  pod?: { uid?: string; name?: string; namespace?: string };
  sandbox?: boolean;
}

/** The Kubernetes pod fields of a meta, without the undefined ones. */
export function podFields(uid: unknown, name: unknown, namespace: unknown): RuntimeMeta['pod'] {
  const pod: NonNullable<RuntimeMeta['pod']> = {};
  const u = cleanText(uid);
  const n = cleanText(name);
  const ns = cleanText(namespace);
  if (u) pod.uid = u;
  if (n) pod.name = n;
  if (ns) pod.namespace = ns;
  return Object.keys(pod).length > 0 ? pod : undefined;
}
