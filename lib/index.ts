// The public surface of nsjoin: re-exports only.
export { NsError, ParseError } from './errors.js';
export type { NsErrorDetails } from './errors.js';
export type { Target, RootOptions } from './targets.js';
export { NAMESPACE_TYPES, namespacesOf, listNamespaces } from './namespaces.js';
export type { NamespaceType, NamespaceId, NamespaceInfo } from './namespaces.js';
export { spawn, execFile, spawnSync, NsChildProcess, kernelSupport } from './spawn.js';
export type { JoinOptions, ExecFileOptions, SpawnSyncOptions, SpawnSyncResult, ExecFileError, StdioEntry } from './spawn.js';
export { parseNetDev, NETDEV_RX_FIELDS, NETDEV_TX_FIELDS } from './parse/netdev.js';
export type { NetDevice, NetDevRx, NetDevTx } from './parse/netdev.js';
export { readNetDev } from './net/netdev.js';
export type { NetDevSample, NetDevStat, ReadNetDevOptions } from './net/netdev.js';
export { netRates } from './net/rates.js';
export type { NetRate, NetRates, InterfaceRate, NetRatesOptions } from './net/rates.js';
export { readInterfaceStats } from './net/sysfs.js';
export type { InterfaceStats, InterfaceStatsSource } from './net/sysfs.js';
