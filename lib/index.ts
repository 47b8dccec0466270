// The public surface of nsjoin: re-exports only.
export { NsError, ParseError } from './errors.js';
export type { NsErrorDetails } from './errors.js';
export type { Target, RootOptions } from './targets.js';
export { NAMESPACE_TYPES, namespacesOf, listNamespaces } from './namespaces.js';
export type { NamespaceType, NamespaceId, NamespaceInfo } from './namespaces.js';
export { spawn, execFile, spawnSync, NsChildProcess, kernelSupport } from './spawn.js';
export type { JoinOptions, ExecFileOptions, SpawnSyncOptions, SpawnSyncResult, ExecFileError, StdioEntry } from './spawn.js';
