// The library entry points for containers: audit one target, or every container on the host.
import { listContainers, type Container } from '../containers.js';
import { resolveTarget, type RootOptions, type Target } from '../targets.js';
import { readContainerFacts } from './read.js';
import { evaluate } from './rules/index.js';
import type { AuditReport, AuditTarget } from './types.js';

function describeTarget(pid: number, c: Container | undefined): AuditTarget {
  if (!c) return { pid };
  const name = (c as { name?: unknown }).name;
  return { pid, container: { id: c.id, runtime: c.runtime, ...(typeof name === 'string' ? { name } : {}) } };
}

function auditPid(pid: number, container: Container | undefined, options: RootOptions): AuditReport {
  const facts = readContainerFacts(pid, container?.runtime, options);
  return { target: describeTarget(pid, container), ...evaluate(facts) };
}

/**
 * Audits how well the process `target` (a pid, `{ pid }` or `{ container }`) is isolated from the
 * host, from the host's side: its capabilities, seccomp, no_new_privs, uid, LSM label, namespaces,
 * mounts, device rules and cgroup limits. Nothing is run in or written to the target; everything is
 * read from /proc, the cgroup files and mountinfo. A pid inside a container is compared with that
 * container's runtime defaults (its capability set). Synchronous: reads pseudo-files only.
 *
 * @throws TypeError/RangeError for a malformed target; NsError when the process is gone (ESRCH) or
 *   its /proc files cannot be read (EACCES: this needs root), or the container is not found
 */
export function auditContainer(target: Target, options: RootOptions = {}): AuditReport {
  const pid = resolveTarget(target, options);
  let container: Container | undefined;
  try {
    container = listContainers(options).find((c) => c.pids.includes(pid));
  } catch {
    /* not listable: audited as a plain process against docker's defaults */
  }
  return auditPid(pid, container, options);
}

/**
 * Audits every container `listContainers()` finds. A container that exits during the scan is left
 * out; any other error is thrown.
 */
export function auditAll(options: RootOptions = {}): AuditReport[] {
  const out: AuditReport[] = [];
  for (const c of listContainers(options)) {
    try {
      out.push(auditPid(c.pid, c, options));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ESRCH' || code === 'ENOENT') continue; // gone since the listing
      throw err;
    }
  }
  return out;
}
