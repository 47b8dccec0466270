// /proc/net/if_inet6 (and /proc/PID/net/if_inet6): one line per IPv6 address,
// `ADDRESS(32 hex) IFINDEX(hex) PREFIXLEN SCOPE FLAGS NAME`.

/**
 * Device name -> ifindex pairs from /proc/net/if_inet6, one per address line (a device with several
 * addresses appears several times), in file order. Lines not of that shape are skipped: never throws.
 */
export function ifindexesFromIfInet6(text: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length === 6 && /^[0-9a-f]{32}$/.test(f[0]!) && /^[0-9a-f]+$/.test(f[1]!)) out.push([f[5]!, parseInt(f[1]!, 16)]);
  }
  return out;
}
