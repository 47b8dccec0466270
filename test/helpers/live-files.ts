// Reads the kernel files the parsers are for, live, from this host: every process's /proc files and
// every cgroup hierarchy's files. A file that vanishes or may not be read is passed over (processes
// and cgroups come and go); one that is read must parse.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parsersFor } from './file-parsers.js';

/** What a live check found: files parsed, and the failures (path: parser: message). */
export interface LiveCheck {
  parsed: number;
  failures: string[];
}

function tryRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Parses `path` with every parser for its name; records failures. Returns the text read, if any. */
export function checkFile(path: string, into: LiveCheck, text = tryRead(path)): string | undefined {
  if (text === undefined) return undefined;
  for (const [name, parse] of parsersFor(path)) {
    try {
      parse(text);
      into.parsed++;
    } catch (e) {
      into.failures.push(`${path}: ${name}: ${(e as Error).message}`);
    }
  }
  return text;
}

/** /proc/PID/{mountinfo,cgroup,stat,net/dev,uid_map,gid_map} of the given pids (default: every process). */
export function checkProcesses(into: LiveCheck, pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n))): void {
  for (const pid of pids)
    for (const f of ['mountinfo', 'cgroup', 'stat', 'net/dev', 'uid_map', 'gid_map']) checkFile(`/proc/${pid}/${f}`, into);
}

/** Every file of the cgroup tree under `dir`, to `depth` levels of children. */
export function checkCgroupTree(dir: string, into: LiveCheck, depth = 3): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      continue;
    }
    if (isDir) {
      if (depth > 0) checkCgroupTree(p, into, depth - 1);
    } else checkFile(p, into);
  }
}
