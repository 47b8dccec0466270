// All container rules, in one pass over the facts: findings sorted worst first, and the checks that
// could not be decided.
import type { ContainerFacts } from '../facts.js';
import { SEVERITIES, type Finding, type Unknown } from '../types.js';
import { allDevices, noCpuLimit, noMemoryLimit, noPidsLimit } from './cgroup.js';
import { runtimeSocket, sensitiveHostMount, sharedPropagation, unmaskedProc, writableSys } from './mounts.js';
import { hostNamespaces } from './namespaces.js';
import { addedCapabilities, lsmUnconfined, noNewPrivilegesOff, privileged, rootUser, seccompDisabled } from './process.js';

const isFinding = (x: Finding | Unknown): x is Finding => 'severity' in x;

/** Runs every rule on `facts`. Pure: the same facts give the same report. */
export function evaluate(facts: ContainerFacts): { findings: Finding[]; unknown: Unknown[] } {
  const results: (Finding | Unknown | undefined)[] = [];
  const walls = [unmaskedProc(facts), writableSys(facts), allDevices(facts)];
  results.push(
    privileged(
      facts,
      walls.filter((w): w is Finding => w !== undefined && isFinding(w)),
    ),
  );
  results.push(
    ...walls,
    addedCapabilities(facts),
    seccompDisabled(facts),
    noNewPrivilegesOff(facts),
    rootUser(facts),
    lsmUnconfined(facts),
  );
  results.push(...hostNamespaces(facts));
  results.push(sensitiveHostMount(facts), runtimeSocket(facts), sharedPropagation(facts));
  results.push(noMemoryLimit(facts), noPidsLimit(facts), noCpuLimit(facts));
  const present = results.filter((r): r is Finding | Unknown => r !== undefined);
  const findings = present
    .filter(isFinding)
    .sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { findings, unknown: present.filter((r): r is Unknown => !isFinding(r)) };
}
