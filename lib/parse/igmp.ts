// /proc/net/igmp (and /proc/PID/net/igmp): a header line, then per device that has IPv4 multicast
// state `IDX\tNAME      :  COUNT  QUERIER`, followed by its group lines, which start with tabs.

/**
 * Device name -> ifindex pairs from the device lines of /proc/net/igmp, in file order. Group lines
 * (leading tab), the header and anything else are skipped: never throws.
 */
export function ifindexesFromIgmp(text: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+)\t(\S+)\s*:/.exec(line);
    if (m) out.push([m[2]!, Number(m[1])]);
  }
  return out;
}
