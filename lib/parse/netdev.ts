// /proc/net/dev (and /proc/PID/net/dev): two header lines, then one line per network device,
// `NAME: 8 receive counters 8 transmit counters`.
import { ParseError } from '../errors.js';
import { show } from './util.js';

/** The eight receive columns of /proc/net/dev, in file order. */
export const NETDEV_RX_FIELDS = ['bytes', 'packets', 'errs', 'drop', 'fifo', 'frame', 'compressed', 'multicast'] as const;
/** The eight transmit columns of /proc/net/dev, in file order. */
export const NETDEV_TX_FIELDS = ['bytes', 'packets', 'errs', 'drop', 'fifo', 'colls', 'carrier', 'compressed'] as const;

/** Receive counters of one device since it was created (bytes in bytes, the others in packets/events). */
export type NetDevRx = Record<(typeof NETDEV_RX_FIELDS)[number], number>;
/** Transmit counters of one device since it was created (bytes in bytes, the others in packets/events). */
export type NetDevTx = Record<(typeof NETDEV_TX_FIELDS)[number], number>;

/**
 * One line of /proc/net/dev. Counters are the kernel's u64 values as JS numbers: exact up to 2^53
 * (8 PiB), above that the last digits are lost. Byte counts include link-layer headers.
 */
export interface NetDevice {
  /** Interface name (at most 15 characters; old alias names such as `team0:1` keep their colon). */
  name: string;
  rx: NetDevRx;
  tx: NetDevTx;
}

/** Longest interface name the kernel allows (IFNAMSIZ 16 minus the NUL). */
export const IFNAME_MAX = 15;

const COUNTER = /^\d{1,20}$/;
const U64_MAX = 18446744073709551615n;

/**
 * Parses the text of /proc/net/dev. The first two lines are the column headers; each further line
 * is split at its LAST ':' so that alias names keep their colon and old kernels' lines that glue the
 * name to the first counter (`eth0:4046496815 ...`) parse the same as padded ones. Blank lines and
 * a missing final newline are accepted.
 *
 * @param file named in errors (default '/proc/net/dev')
 * @returns the devices in file order
 * @throws ParseError for empty text, a header that is not one, or a device line without a ':', with
 *   a bad name, or without exactly 16 unsigned integer counters; it names the 1-based line and never
 *   returns shifted counters
 */
export function parseNetDev(text: string, file = '/proc/net/dev'): NetDevice[] {
  const n = text.length;
  const nl1 = text.indexOf('\n');
  const nl2 = nl1 < 0 ? -1 : text.indexOf('\n', nl1 + 1);
  if (nl1 < 0 || !text.slice(0, nl1).includes('|') || !text.slice(nl1 + 1, nl2 < 0 ? n : nl2).includes('|')) {
    throw new ParseError(file, text === '' ? 0 : 1, 'expected the two header lines of /proc/net/dev');
  }
  const devices: NetDevice[] = [];
  if (nl2 < 0) return devices;
  // Rates are sampled every second or faster for every container, so the usual line (padding
  // spaces, a plain name, ':', 16 space-separated counters of at most 15 digits) is scanned by char
  // code; any other line (tabs, huge counters, malformed) goes to deviceLine, the general rules.
  const v = scratch;
  let lineNo = 2;
  for (let start = nl2 + 1; start < n;) {
    lineNo++;
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    const lineStart = start;
    start = end + 1;
    let i = lineStart;
    while (i < end && text.charCodeAt(i) === 32) i++;
    if (i === end) continue;
    const colon = text.lastIndexOf(':', end - 1);
    let ok = colon > i && colon - i <= IFNAME_MAX;
    for (let j = i; ok && j < colon; j++) {
      const c = text.charCodeAt(j);
      if (c <= 32 || c > 126 || c === 47) ok = false;
    }
    let k = 0;
    for (let p = colon + 1; ok;) {
      while (p < end && text.charCodeAt(p) === 32) p++;
      if (p === end) break;
      if (k === 16) {
        ok = false;
        break;
      }
      let x = 0,
        digits = 0;
      for (; p < end; p++, digits++) {
        const c = text.charCodeAt(p);
        if (c < 48 || c > 57) break;
        x = x * 10 + (c - 48);
      }
      if (digits === 0 || digits > 15 || (p < end && text.charCodeAt(p) !== 32)) ok = false;
      v[k++] = x;
    }
    if (ok && k === 16) {
      devices.push({
        name: text.slice(i, colon),
        rx: { bytes: v[0]!, packets: v[1]!, errs: v[2]!, drop: v[3]!, fifo: v[4]!, frame: v[5]!, compressed: v[6]!, multicast: v[7]! },
        tx: { bytes: v[8]!, packets: v[9]!, errs: v[10]!, drop: v[11]!, fifo: v[12]!, colls: v[13]!, carrier: v[14]!, compressed: v[15]! },
      });
    } else {
      const line = text.slice(lineStart, end);
      if (line.trim() !== '') devices.push(deviceLine(line, lineNo, file));
    }
  }
  return devices;
}

const scratch = new Float64Array(16);

/** One device line by the general rules; every error names the line. */
function deviceLine(line: string, lineNo: number, file: string): NetDevice {
  const colon = line.lastIndexOf(':');
  if (colon < 0) throw new ParseError(file, lineNo, `no ':' after the interface name: ${show(line)}`);
  const name = line.slice(0, colon).trim();
  if (name === '' || name.length > IFNAME_MAX || /[\s/]/.test(name)) {
    throw new ParseError(file, lineNo, `bad interface name ${show(name)}`);
  }
  const rest = line.slice(colon + 1).trim();
  const tokens = rest === '' ? [] : rest.split(/\s+/);
  if (tokens.length !== 16) {
    throw new ParseError(file, lineNo, `expected 16 counters for ${name}, got ${tokens.length}`);
  }
  const values = tokens.map((token) => {
    // Only a 20-digit token can exceed 2^64 - 1, and doubles cannot tell, hence the BigInt.
    if (!COUNTER.test(token) || (token.length === 20 && BigInt(token) > U64_MAX)) {
      throw new ParseError(file, lineNo, `counter is not a u64: ${show(token)}`);
    }
    return Number(token);
  });
  const rx = {} as NetDevRx;
  const tx = {} as NetDevTx;
  NETDEV_RX_FIELDS.forEach((key, k) => {
    rx[key] = values[k]!;
  });
  NETDEV_TX_FIELDS.forEach((key, k) => {
    tx[key] = values[8 + k]!;
  });
  return { name, rx, tx };
}

/**
 * Renders devices in the kernel's current /proc/net/dev layout (header included). Parsing the result
 * with parseNetDev gives the same devices back; fuzzers and fixtures use it.
 */
export function formatNetDev(devices: readonly NetDevice[]): string {
  const head =
    'Inter-|   Receive                                                |  Transmit\n' +
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';
  const body = devices.map((d) => {
    const r = NETDEV_RX_FIELDS.map((k) => d.rx[k]);
    const t = NETDEV_TX_FIELDS.map((k) => d.tx[k]);
    const w = [7, 7, 4, 4, 4, 5, 10, 9, 8, 7, 4, 4, 4, 5, 7, 10];
    return `${d.name.padStart(6)}: ${[...r, ...t].map((v, k) => String(v).padStart(w[k]!)).join(' ')}\n`;
  });
  return head + body.join('');
}
