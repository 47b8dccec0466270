// Types shared by many modules, in a module that imports nothing but types: the modules that use
// them (errors.ts, namespaces.ts) then need not import each other for a type.

/** The eight Linux namespace types, named as in /proc/PID/ns/. */
export type NamespaceType = 'cgroup' | 'ipc' | 'mnt' | 'net' | 'pid' | 'time' | 'user' | 'uts';

export type { Target, RootOptions } from './target-types.js';
