// The metric families of `nsjoin serve`, with cAdvisor's names, help texts, types and units (as its
// lib/metrics/prometheus.go declares them), so that the kubernetes-mixin dashboards and recording
// rules work unchanged. Order here is the order of the exposition.

/** A metric family: its name (counters keep the `_total` suffix, as in text format 0.0.4), type and help. */
export interface Family {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  /** The label a family adds to the base labels (`cpu`, `interface`, `device`). */
  extra?: 'cpu' | 'interface' | 'device';
}

const counter = (name: string, help: string, extra?: Family['extra']): Family =>
  extra ? { name, type: 'counter', help, extra } : { name, type: 'counter', help };
const gauge = (name: string, help: string): Family => ({ name, type: 'gauge', help });

/** Every family `nsjoin serve` exposes, keyed by a short id used by the collector. */
export const FAMILIES = {
  cpuUsage: counter('container_cpu_usage_seconds_total', 'Cumulative cpu time consumed in seconds.', 'cpu'),
  cpuUser: counter('container_cpu_user_seconds_total', 'Cumulative user cpu time consumed in seconds.'),
  cpuSystem: counter('container_cpu_system_seconds_total', 'Cumulative system cpu time consumed in seconds.'),
  cfsPeriods: counter('container_cpu_cfs_periods_total', 'Number of elapsed enforcement period intervals.'),
  cfsThrottledPeriods: counter('container_cpu_cfs_throttled_periods_total', 'Number of throttled period intervals.'),
  cfsThrottledSeconds: counter('container_cpu_cfs_throttled_seconds_total', 'Total time duration the container has been throttled.'),
  memoryCache: gauge('container_memory_cache', 'Number of bytes of page cache memory.'),
  memoryRss: gauge('container_memory_rss', 'Size of RSS in bytes.'),
  memorySwap: gauge('container_memory_swap', 'Container swap usage in bytes.'),
  memoryUsage: gauge(
    'container_memory_usage_bytes',
    'Current memory usage in bytes, including all memory regardless of when it was accessed',
  ),
  memoryWorkingSet: gauge('container_memory_working_set_bytes', 'Current working set in bytes.'),
  oomEvents: counter('container_oom_events_total', 'Count of out of memory events observed for the container'),
  fsReadBytes: counter('container_fs_reads_bytes_total', 'Cumulative count of bytes read', 'device'),
  fsWriteBytes: counter('container_fs_writes_bytes_total', 'Cumulative count of bytes written', 'device'),
  rxBytes: counter('container_network_receive_bytes_total', 'Cumulative count of bytes received', 'interface'),
  rxPackets: counter('container_network_receive_packets_total', 'Cumulative count of packets received', 'interface'),
  rxDropped: counter('container_network_receive_packets_dropped_total', 'Cumulative count of packets dropped while receiving', 'interface'),
  rxErrors: counter('container_network_receive_errors_total', 'Cumulative count of errors encountered while receiving', 'interface'),
  txBytes: counter('container_network_transmit_bytes_total', 'Cumulative count of bytes transmitted', 'interface'),
  txPackets: counter('container_network_transmit_packets_total', 'Cumulative count of packets transmitted', 'interface'),
  txDropped: counter(
    'container_network_transmit_packets_dropped_total',
    'Cumulative count of packets dropped while transmitting',
    'interface',
  ),
  txErrors: counter('container_network_transmit_errors_total', 'Cumulative count of errors encountered while transmitting', 'interface'),
  processes: gauge('container_processes', 'Number of processes running inside the container.'),
  threads: gauge('container_threads', 'Number of threads running inside the container'),
  threadsMax: gauge('container_threads_max', 'Maximum number of threads allowed inside the container, infinity if value is zero'),
  cpuStalled: counter(
    'container_pressure_cpu_stalled_seconds_total',
    'Total time duration no tasks in the container could make progress due to CPU congestion.',
  ),
  cpuWaiting: counter(
    'container_pressure_cpu_waiting_seconds_total',
    'Total time duration tasks in the container have waited due to CPU congestion.',
  ),
  memoryStalled: counter(
    'container_pressure_memory_stalled_seconds_total',
    'Total time duration no tasks in the container could make progress due to memory congestion.',
  ),
  memoryWaiting: counter(
    'container_pressure_memory_waiting_seconds_total',
    'Total time duration tasks in the container have waited due to memory congestion.',
  ),
  ioStalled: counter(
    'container_pressure_io_stalled_seconds_total',
    'Total time duration no tasks in the container could make progress due to IO congestion.',
  ),
  ioWaiting: counter(
    'container_pressure_io_waiting_seconds_total',
    'Total time duration tasks in the container have waited due to IO congestion.',
  ),
  startTime: gauge('container_start_time_seconds', 'Start time of the container since unix epoch in seconds.'),
  specCpuPeriod: gauge('container_spec_cpu_period', 'CPU period of the container.'),
  specCpuQuota: gauge('container_spec_cpu_quota', 'CPU quota of the container.'),
  specCpuShares: gauge('container_spec_cpu_shares', 'CPU share of the container.'),
  specMemoryLimit: gauge('container_spec_memory_limit_bytes', 'Memory limit for the container.'),
  scrapeError: gauge('container_scrape_error', '1 if there was an error while getting container metrics, 0 otherwise'),
} as const satisfies Record<string, Family>;

/** The short id of a family in FAMILIES. */
export type FamilyId = keyof typeof FAMILIES;
