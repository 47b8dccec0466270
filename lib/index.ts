// The public surface of nsjoin: re-exports only. What a user reaches for: spawning in a target,
// namespaces, containers, cgroup and network readers, views, sockets, audit. The pure parsers of
// kernel text are on the `nsjoin/parse` subpath (lib/parse/index.ts).
export { NsError, ParseError } from './errors.js';
export type { NsErrorDetails } from './errors.js';
export type { Target, RootOptions } from './targets.js';
export { NAMESPACE_TYPES, namespacesOf, listNamespaces } from './namespaces.js';
export type { NamespaceType, NamespaceId, NamespaceInfo } from './namespaces.js';
export { spawn, execFile, spawnSync, NsChildProcess, kernelSupport } from './spawn.js';
export type {
  Kernel as KernelSupport,
  JoinOptions,
  ExecFileOptions,
  SpawnSyncOptions,
  SpawnSyncResult,
  ExecFileError,
  StdioEntry,
  PromiseWithChild,
  NsChildProcessEvents,
} from './spawn.js';
export type { NetDevice, NetDevRx, NetDevTx } from './parse/netdev.js';
export { readNetDev } from './net/netdev.js';
export type { NetDevSample, NetDevStat, ReadNetDevOptions } from './net/netdev.js';
export { netRates } from './net/rates.js';
export type { NetRate, NetRates, InterfaceRate, NetRatesOptions } from './net/rates.js';
export { readInterfaceStats } from './net/sysfs.js';
export type { InterfaceStats, InterfaceStatsSource } from './net/sysfs.js';
export { cgroupOf, locatePath } from './cgroup/locate.js';
export { readCgroupStats } from './cgroup/stats.js';
export type { CgroupPathSpec } from './cgroup/stats.js';
export { cgroupRates, sampleCgroup } from './cgroup/sampler.js';
export type { SampleOptions } from './cgroup/sampler.js';
export type {
  CgroupMode,
  CgroupLocation,
  CgroupStats,
  CgroupCpu,
  CgroupMemory,
  CgroupIo,
  CgroupIoDevice,
  CgroupRates,
  Pressure,
  PressureLine,
} from './cgroup/types.js';
export type { Privileges } from './credentials.js';
export { listContainers } from './containers.js';
export { findContainer, findPodContainer } from './container-find.js';
export type { Container, ContainerRuntime, PodQos, ListContainersOptions } from './containers.js';
export type { PodQuery } from './container-find.js';
export { DEFAULT_RUNTIME_ROOTS } from './runtimes/roots.js';
export type { RuntimeRoots } from './runtimes/roots.js';
export { memoryView, meminfo, cpuView, cpuUsage } from './views.js';
export type { MemoryView, CpuView, CpuUsage } from './views.js';
export { connectIn, listenIn } from './sockets.js';
export type { ConnectInOptions, ListenInOptions, TcpEndpoint, UnixEndpoint } from './sockets.js';
export type { PtyInfo, PtySize, PtyStream } from './pty.js';
export { metricsText, metricsHandler, MetricsCollector } from './serve/handler.js';
export type { MetricsOptions } from './serve/handler.js';
export { collect as collectMetrics, weightToShares } from './serve/collect.js';
export type { Collection as MetricsCollection } from './serve/collect.js';
export { render as renderMetrics, negotiateFormat, CONTENT_TYPES } from './serve/exposition.js';
export type { ExpositionFormat } from './serve/exposition.js';
export { FAMILIES as METRIC_FAMILIES } from './serve/families.js';
export type { Family as MetricFamily, FamilyId as MetricFamilyId } from './serve/families.js';
export { auditContainer, auditAll } from './audit/container.js';
export { auditHost } from './audit/host.js';
export { evaluate as evaluateAudit } from './audit/rules/index.js';
export { evaluateHost } from './audit/host-rules.js';
export type { ContainerFacts, LimitFact } from './audit/facts.js';
export type { HostFacts } from './audit/host-rules.js';
export { SEVERITIES } from './audit/types.js';
export type { Finding, Severity, Unknown, AuditReport, AuditTarget, HostReport, ConfidentialKind } from './audit/types.js';
export type { ProcStatus } from './parse/proc-status.js';
export type { MountInfo } from './parse/mountinfo.js';
