// /proc/PID/net/dev_snmp6/NAME: one device's IPv6 counters, `Name<spaces>\tvalue` lines, the first
// of them `ifIndex`. The file exists for every device with IPv6 state, also one that is down.

/**
 * The ifindex from the `ifIndex` line of /proc/net/dev_snmp6/NAME, or undefined when there is no
 * such line (another shape): never throws.
 */
export function ifindexFromDevSnmp6(text: string): number | undefined {
  const m = /^ifIndex\s+(\d+)\s*$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}
