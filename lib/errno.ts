// Errno numbers and names, in one place: os.constants.errno (this platform's values). Compare with
// `E.ESRCH`, never with a literal number.
import { constants } from 'node:os';

/** Errno numbers by name (os.constants.errno). */
export const E: Readonly<typeof constants.errno> = constants.errno;

// Number -> name. Where two names share a number (EAGAIN/EWOULDBLOCK, ENOTSUP/EOPNOTSUPP) the one
// listed last wins, as NsError has always named them.
const names = new Map<number, string>(Object.entries(E).map(([name, num]) => [num as number, name]));

/** The errno name of a positive errno number ('ENOENT'), or 'E<n>' for one this platform lacks. */
export function errnoName(errnum: number): string {
  return names.get(errnum) ?? `E${errnum}`;
}

/** The positive errno number of a name, or undefined when it is not an errno name (ENSJOIN_*). */
export function errnoNumber(name: string): number | undefined {
  return (E as Readonly<Record<string, number>>)[name];
}
