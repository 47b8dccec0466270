// One container out of listContainers(): by id, name or id prefix (as docker resolves its arguments),
// or by Kubernetes pod; an ambiguous query is refused with the candidates listed.
import { listContainers, type Container, type ListContainersOptions } from './containers.js';
import { NsError } from './errors.js';

/** How a container is shown in a list of candidates: id, name or pod, runtime, pid. */
function label(c: Container): string {
  const what =
    c.pod?.name !== undefined
      ? `${c.pod.namespace ?? '?'}/${c.pod.name}${c.name !== undefined ? `/${c.name}` : c.sandbox ? ' sandbox' : ''}`
      : c.name;
  return `${c.id.slice(0, 12)}${what !== undefined ? ` ${what}` : ''} (${c.runtime}, pid ${c.pid})`;
}

function pick(matches: Container[], what: string, total: number, none: string): Container {
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new NsError(
      'ENSJOIN_NO_CONTAINER',
      `no container matches ${what}: ${none} (${total} container${total === 1 ? '' : 's'} on this host)`,
    );
  }
  const list = matches.slice(0, 10).map(label).join(', ');
  throw new NsError(
    'ENSJOIN_AMBIGUOUS_CONTAINER',
    `${what} matches ${matches.length} containers: ${list}${matches.length > 10 ? ', ...' : ''}; say which`,
  );
}

/**
 * Finds one container by its id, its name as its runtime knows it (exact), or a unique id prefix,
 * in that order, as docker resolves its own arguments: an exact id wins over everything, an exact
 * name over id prefixes.
 *
 * @throws NsError 'ENSJOIN_NO_CONTAINER' when nothing matches; 'ENSJOIN_AMBIGUOUS_CONTAINER' when
 *   the name or prefix matches several containers (the message lists them); TypeError for bad options
 */
export function findContainer(query: string, options: ListContainersOptions = {}): Container {
  const all = listContainers(options);
  const exact = all.filter((c) => c.id === query);
  if (exact.length > 0) return pick(exact, `container id '${query}'`, all.length, '');
  const named = all.filter((c) => c.name === query);
  if (named.length > 0) return pick(named, `container name '${query}'`, all.length, '');
  return pick(
    all.filter((c) => c.id.startsWith(query)),
    `'${query}'`,
    all.length,
    'no container has that name, id or id prefix',
  );
}

/** A Kubernetes pod target: the pod's name, and optionally its namespace and the container's name. */
export interface PodQuery {
  pod: string;
  namespace?: string;
  container?: string;
}

/**
 * Finds one container of a Kubernetes pod on this node by pod name (and namespace, and container
 * name), without an API server: pod names come from the runtime's annotations or the kubelet's log
 * directories. Without `container`, the pod must have exactly one container besides its sandbox.
 *
 * @throws NsError 'ENSJOIN_NO_CONTAINER' or 'ENSJOIN_AMBIGUOUS_CONTAINER' (pods of that name in
 *   several namespaces, or several containers in the pod: the message lists them)
 */
export function findPodContainer(query: PodQuery, options: ListContainersOptions = {}): Container {
  const all = listContainers(options);
  const inPod = all.filter((c) => c.pod?.name === query.pod && (query.namespace === undefined || c.pod.namespace === query.namespace));
  const where = `${query.namespace === undefined ? '' : `${query.namespace}/`}${query.pod}`;
  const namespaces = new Set(inPod.map((c) => c.pod?.namespace));
  if (namespaces.size > 1) {
    const list = inPod
      .filter((c) => !c.sandbox)
      .slice(0, 10)
      .map(label)
      .join(', ');
    throw new NsError(
      'ENSJOIN_AMBIGUOUS_CONTAINER',
      `pod '${query.pod}' is in ${namespaces.size} namespaces (${[...namespaces].join(', ')}): ${list}; say NAMESPACE/POD`,
    );
  }
  const workloads = inPod.filter((c) => !c.sandbox);
  if (query.container !== undefined) {
    return pick(
      workloads.filter((c) => c.name === query.container),
      `container '${query.container}' of pod '${where}'`,
      all.length,
      workloads.length > 0
        ? `the pod's containers are ${workloads.map((c) => c.name ?? c.id.slice(0, 12)).join(', ')}`
        : 'no such pod on this node',
    );
  }
  return pick(workloads, `pod '${where}'`, all.length, inPod.length > 0 ? 'the pod has only its sandbox' : 'no such pod on this node');
}
