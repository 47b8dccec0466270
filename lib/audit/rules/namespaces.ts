// `host-namespace`: one finding per namespace type the container shares with the host.
import type { NamespaceType } from '../../namespaces.js';
import type { ContainerFacts } from '../facts.js';
import type { Finding, Severity, Unknown } from '../types.js';
import { finding } from './finding.js';

// What sharing each type gives the container, how bad that is, and the CIS check for it. The mount
// namespace is the host's filesystem itself; time is shared by nearly every container (runtimes only
// make one on request) and is recorded as information.
const TYPES: Record<NamespaceType, { severity: Severity; what: string; cis: string[] }> = {
  mnt: { severity: 'critical', what: "its mounts are the host's: the whole host filesystem", cis: [] },
  pid: { severity: 'high', what: 'it sees every host process and, as root, can signal and trace them', cis: ['5.16'] },
  net: { severity: 'high', what: "the host's interfaces, listening ports and abstract unix sockets", cis: ['5.10'] },
  ipc: { severity: 'medium', what: "the host's System V IPC and POSIX message queues", cis: ['5.17'] },
  uts: { severity: 'low', what: "the host's hostname", cis: ['5.21'] },
  user: { severity: 'low', what: "its root is the host's root, held back only by capabilities", cis: ['2.9', '5.31'] },
  cgroup: { severity: 'low', what: 'it sees the path of every cgroup on the host', cis: [] },
  time: { severity: 'info', what: "the host's clocks, as nearly every container", cis: [] },
};
const ORDER: NamespaceType[] = ['mnt', 'pid', 'net', 'ipc', 'uts', 'user', 'cgroup', 'time'];

/** One `host-namespace` finding per shared type; an unknown where either side could not be read. */
export function hostNamespaces(facts: ContainerFacts): (Finding | Unknown)[] {
  const out: (Finding | Unknown)[] = [];
  for (const type of ORDER) {
    const mine = facts.namespaces[type];
    const host = facts.hostNamespaces[type];
    if (mine === undefined || host === undefined) {
      if (mine !== host)
        out.push({
          id: 'host-namespace',
          reason: `${type}: /proc/${facts.pid}/ns/${type} or ${facts.hostNamespacesFrom}/${type} could not be read`,
        });
      continue; // absent on both sides: this kernel has no such namespace type
    }
    if (mine !== host) continue;
    const t = TYPES[type];
    out.push(
      finding(
        'host-namespace',
        t.severity,
        `shares the host's ${type} namespace (${t.what})`,
        [`/proc/${facts.pid}/ns/${type} -> ${type}:[${mine}], the same as ${facts.hostNamespacesFrom}/${type}`],
        t.cis,
      ),
    );
  }
  return out;
}
