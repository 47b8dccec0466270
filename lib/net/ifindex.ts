// Interface indexes of a network namespace, read without joining it. /proc/PID/net/dev has no
// ifindex column, but three other per-netns files do: igmp (devices that were up with IPv4),
// if_inet6 (devices with an IPv6 address) and dev_snmp6/NAME (every device with IPv6 state, also
// when down). Together they let us tell a recreated interface from the old one and check that a
// sysfs mount shows the namespace we think it shows.
import { readTextIfExists } from '../io.js';
import { ifindexFromDevSnmp6 } from '../parse/dev-snmp6.js';
import { ifindexesFromIfInet6 } from '../parse/if-inet6.js';
import { ifindexesFromIgmp } from '../parse/igmp.js';

/**
 * Device name -> ifindex from /proc/PID/net/igmp and /proc/PID/net/if_inet6 (two reads). Devices
 * that are in neither file are missing from the map. Never throws for odd lines (they are skipped);
 * throws NsError only when a file exists but cannot be read.
 */
export function netnsIfindexes(procRoot: string, pid: number): Map<string, number> {
  const map = new Map<string, number>();
  const igmp = readTextIfExists(`${procRoot}/${pid}/net/igmp`, pid);
  if (igmp !== undefined) for (const [name, index] of ifindexesFromIgmp(igmp)) map.set(name, index);
  const inet6 = readTextIfExists(`${procRoot}/${pid}/net/if_inet6`, pid);
  if (inet6 !== undefined) for (const [name, index] of ifindexesFromIfInet6(inet6)) map.set(name, index);
  return map;
}

/** The ifindex of one device from /proc/PID/net/dev_snmp6/NAME, or undefined when that file is absent. */
export function snmp6Ifindex(procRoot: string, pid: number, name: string): number | undefined {
  const text = readTextIfExists(`${procRoot}/${pid}/net/dev_snmp6/${name}`, pid);
  return text === undefined ? undefined : ifindexFromDevSnmp6(text);
}
