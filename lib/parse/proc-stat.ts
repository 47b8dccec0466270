// /proc/PID/stat (proc(5)): one line, `PID (COMM) STATE PPID ...`, space-separated. COMM is printed
// raw, up to 15 bytes of anything the process chose (prctl PR_SET_NAME, /proc/self/comm): spaces,
// '(' and ')', even a newline. A hostile process names itself `x) R 1 2 (3` to shift every field a
// naive split reads; so COMM ends at the LAST ')' in the text (no later field can hold one).
import { ParseError } from '../errors.js';
import { show, toInt } from './util.js';

/** The fields of /proc/PID/stat that nsjoin reads (proc(5) numbers them 1, 2, 3, ...). */
export interface ProcStat {
  /** (1) The process id, in the pid namespace of the procfs mount it was read from. */
  pid: number;
  /** (2) The command name (at most 15 bytes), as the process set it: print it escaped. */
  comm: string;
  /** (3) One character: R running, S sleeping, D disk sleep, Z zombie, T stopped, t traced, I idle, X dead, ... */
  state: string;
  /** (4) Parent pid (0 for the pid namespace's init seen from inside, and for kthreadd). */
  ppid: number;
  /** (5) Process group id. */
  pgrp: number;
  /** (6) Session id. */
  session: number;
  /** (8) Process group id of the foreground job of its controlling terminal, -1 for none. */
  tpgid: number;
  /** (14) User-mode CPU time, in clock ticks (USER_HZ, 100 on Linux). */
  utime: number;
  /** (15) Kernel-mode CPU time, in clock ticks. */
  stime: number;
  /** (20) Number of threads. */
  numThreads: number;
  /** (22) When it started, in clock ticks since boot: with the pid, what tells a process from a later one given its pid. */
  startTime: number;
  /** (23) Virtual memory size in bytes. */
  vsize: number;
  /** (24) Resident set size in pages. */
  rss: number;
}

/**
 * Parses /proc/PID/stat. COMM is taken between the '(' after the pid and the last ')', so that
 * whatever a process named itself cannot shift the fields after it.
 *
 * @throws ParseError when the text is not `PID (COMM) STATE` followed by at least 21 integer fields
 */
export function parseProcStat(text: string, file = '/proc/PID/stat'): ProcStat {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open + 1 || text[close + 1] !== ' ')
    throw new ParseError(file, 1, `expected "PID (COMM) STATE ...", got ${show(text)}`);
  const pid = toInt(text.slice(0, open), file, 1, 'pid');
  // Fields from (3) on; one trailing newline ends the line.
  const rest = text
    .slice(close + 2)
    .replace(/\n$/, '')
    .split(' ');
  if (rest.length < 22) throw new ParseError(file, 1, `expected at least 24 fields, got ${rest.length + 2}`);
  const state = rest[0]!;
  if (!/^[A-Za-z]$/.test(state)) throw new ParseError(file, 1, `state is not one letter: ${show(state)}`);
  // Field (N) is rest[N - 3].
  const int = (n: number, what: string): number => toInt(rest[n - 3]!, file, 1, what);
  return {
    pid,
    comm: text.slice(open + 2, close),
    state,
    ppid: int(4, 'ppid'),
    pgrp: int(5, 'pgrp'),
    session: int(6, 'session'),
    tpgid: int(8, 'tpgid'),
    utime: int(14, 'utime'),
    stime: int(15, 'stime'),
    numThreads: int(20, 'num_threads'),
    startTime: int(22, 'starttime'),
    vsize: int(23, 'vsize'),
    rss: int(24, 'rss'),
  };
}
