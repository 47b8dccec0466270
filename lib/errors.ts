import { getSystemErrorMap } from 'node:util';
import { errnoName, errnoNumber } from './errno.js';
import type { NamespaceType } from './types.js';

/** Fields that describe where a system error happened; all optional. */
export interface NsErrorDetails {
  /** The system call or step that failed: 'setns', 'execve', 'chdir', 'pidfd_open', 'open', ... */
  syscall?: string;
  /** The namespace being joined when it failed. */
  namespace?: NamespaceType;
  /** The file involved (a /proc path, the program, the cwd). */
  path?: string;
  /** The target's host pid. */
  pid?: number;
  /** A hint appended to the message: what to do about it. */
  hint?: string;
}

/** The hint for EACCES/EPERM on the target's /proc files (ns, root, cwd, environ). */
export const PTRACE_HINT = 'this needs ptrace read access to the target: the same uid, or CAP_SYS_PTRACE';

/**
 * A system error from nsjoin, shaped like Node's own (`code`, `errno`, `syscall`, `path`), plus the
 * namespace and the target pid where they apply.
 *
 * `code` is the errno name ('ENOENT', 'EPERM', 'ESRCH', 'EINVAL', ...) or an nsjoin code such as
 * 'ENSJOIN_NO_CONTAINER'; `errno` is the negative errno number, as in Node (0 for nsjoin codes).
 */
export class NsError extends Error {
  /** Errno name or an 'ENSJOIN_*' code. */
  readonly code: string;
  /** Negative errno, as Node's system errors carry it; 0 when the code is not an errno. */
  readonly errno: number;
  /** The failing system call or step. */
  readonly syscall?: string;
  /** The namespace that could not be joined. */
  readonly namespace?: NamespaceType;
  /** The file involved. */
  readonly path?: string;
  /** The target's host pid. */
  readonly pid?: number;

  constructor(code: string, message: string, details: NsErrorDetails = {}) {
    super(message);
    this.name = 'NsError';
    this.code = code;
    const num = errnoNumber(code);
    this.errno = num === undefined ? 0 : -num;
    if (details.syscall !== undefined) this.syscall = details.syscall;
    if (details.namespace !== undefined) this.namespace = details.namespace;
    if (details.path !== undefined) this.path = details.path;
    if (details.pid !== undefined) this.pid = details.pid;
  }

  /**
   * Builds an NsError from a positive errno number, with a message in Node's style
   * (`syscall CODE: text, path`) followed by the hint.
   */
  static fromErrno(errnum: number, details: NsErrorDetails = {}): NsError {
    const code = errnoName(errnum);
    const what = [details.syscall ?? 'error', details.namespace ? `(${details.namespace} namespace)` : ''].filter(Boolean).join(' ');
    let message = `${what} ${code}: ${describeErrno(code)}`;
    if (details.path !== undefined) message += `, ${details.path}`;
    if (details.pid !== undefined) message += ` [pid ${details.pid}]`;
    if (details.hint) message += `. ${details.hint}`;
    return new NsError(code, message, details);
  }

  /** Wraps an error thrown by Node's fs (ENOENT, EACCES, ...) keeping its code, syscall and path. */
  static fromNodeError(err: NodeJS.ErrnoException, details: NsErrorDetails = {}): NsError {
    if (err instanceof NsError) return err;
    const num = typeof err.errno === 'number' ? Math.abs(err.errno) : undefined;
    const merged: NsErrorDetails = { ...details };
    if (merged.syscall === undefined && err.syscall !== undefined) merged.syscall = err.syscall;
    if (merged.path === undefined && err.path !== undefined) merged.path = err.path;
    if (num !== undefined && errnoNumber(errnoName(num)) === num) return NsError.fromErrno(num, merged);
    return new NsError(err.code ?? 'EIO', err.message, merged);
  }
}

// Node's own texts for each errno ("no such file or directory"), as its system errors use.
const systemErrors = getSystemErrorMap();

function describeErrno(code: string): string {
  if (code === 'EXDEV') return 'path escapes the target root';
  const num = errnoNumber(code);
  return (num === undefined ? undefined : systemErrors.get(-num)?.[1]) ?? 'system error';
}

/**
 * Thrown by the pure parsers in `lib/parse/` when a kernel file does not have the expected shape.
 * Never thrown for unknown keys (those are kept); always names the file and the 1-based line.
 */
export class ParseError extends Error {
  /** Always 'ENSJOIN_PARSE'. */
  readonly code = 'ENSJOIN_PARSE';
  /** The file format or path being parsed, e.g. 'memory.stat' or '/proc/1/net/dev'. */
  readonly file: string;
  /** 1-based line number of the offending line; 0 when the whole text is wrong (e.g. empty). */
  readonly line: number;

  constructor(file: string, line: number, reason: string) {
    super(`${file}${line > 0 ? `:${line}` : ''}: ${reason}`);
    this.name = 'ParseError';
    this.file = file;
    this.line = line;
  }
}
