/** The eight Linux namespace types, named as in /proc/PID/ns/. */
export type NamespaceType = 'cgroup' | 'ipc' | 'mnt' | 'net' | 'pid' | 'time' | 'user' | 'uts';

/** Every namespace type, in the order nsjoin joins them (user is placed separately, see spawn). */
export const NAMESPACE_TYPES: readonly NamespaceType[] = ['user', 'cgroup', 'ipc', 'uts', 'net', 'pid', 'mnt', 'time'];
