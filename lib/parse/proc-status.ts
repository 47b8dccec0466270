// /proc/PID/status: the credential lines nsjoin hands to a program that joins the process (its
// capability sets, no_new_privs, seccomp mode, ids). Other lines are skipped; the ones read here
// have one fixed shape ("Name:\tvalue"), and a malformed one is an error, never a guess.
import { ParseError } from '../errors.js';

/** The five capability sets of a process, as 64-bit masks (bit N = capability N). */
export interface CapabilitySets {
  inheritable: bigint;
  permitted: bigint;
  effective: bigint;
  bounding: bigint;
  ambient: bigint;
}

/** What /proc/PID/status says about a process's privileges. */
export interface ProcStatusCreds {
  caps: CapabilitySets;
  /** NoNewPrivs: 1 (Linux >= 4.10 shows it; false when absent). */
  noNewPrivs: boolean;
  /** Seccomp: 0 off, 1 strict, 2 filter; null when the kernel has no seccomp line. */
  seccomp: 0 | 1 | 2 | null;
  /** Real, effective, saved and filesystem uid. */
  uid: [number, number, number, number];
  /** Real, effective, saved and filesystem gid. */
  gid: [number, number, number, number];
  /** Supplementary groups. */
  groups: number[];
}

const CAP_KEYS = { CapInh: 'inheritable', CapPrm: 'permitted', CapEff: 'effective', CapBnd: 'bounding', CapAmb: 'ambient' } as const;

/**
 * Parses the credential lines of /proc/PID/status.
 * @throws ParseError when a capability line (CapInh, CapPrm, CapEff, CapBnd) or Uid/Gid is missing
 * or malformed. CapAmb (Linux >= 4.3) is 0 when absent.
 */
export function parseProcStatus(text: string): ProcStatusCreds {
  const file = '/proc/PID/status';
  const caps: Partial<CapabilitySets> = {};
  let noNewPrivs = false;
  let seccomp: ProcStatusCreds['seccomp'] = null;
  let uid: number[] | undefined, gid: number[] | undefined, groups: number[] = [];
  const ids = (value: string, line: number, key: string, count?: number): number[] => {
    const fields = value.split(/\s+/).filter((f) => f.length > 0);
    if ((count !== undefined && fields.length !== count) || fields.some((f) => !/^\d{1,10}$/.test(f))) {
      throw new ParseError(file, line, `${key}: expected ${count ?? 'any number of'} decimal ids`);
    }
    return fields.map(Number);
  };
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const colon = raw.indexOf(':');
    if (colon < 0) return;
    const key = raw.slice(0, colon);
    const value = raw.slice(colon + 1).trim();
    if (key in CAP_KEYS) {
      if (!/^[0-9a-f]{1,16}$/.test(value)) throw new ParseError(file, line, `${key}: expected a hex mask`);
      caps[CAP_KEYS[key as keyof typeof CAP_KEYS]] = BigInt(`0x${value}`);
    } else if (key === 'NoNewPrivs') {
      if (value !== '0' && value !== '1') throw new ParseError(file, line, 'NoNewPrivs: expected 0 or 1');
      noNewPrivs = value === '1';
    } else if (key === 'Seccomp') {
      if (value !== '0' && value !== '1' && value !== '2') throw new ParseError(file, line, 'Seccomp: expected 0, 1 or 2');
      seccomp = Number(value) as 0 | 1 | 2;
    } else if (key === 'Uid') uid = ids(value, line, key, 4);
    else if (key === 'Gid') gid = ids(value, line, key, 4);
    else if (key === 'Groups') groups = ids(value, line, key);
  });
  for (const key of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd'] as const) {
    if (caps[CAP_KEYS[key]] === undefined) throw new ParseError(file, 0, `no ${key} line`);
  }
  if (!uid || !gid) throw new ParseError(file, 0, 'no Uid/Gid line');
  caps.ambient ??= 0n;
  return {
    caps: caps as CapabilitySets, noNewPrivs, seccomp,
    uid: uid as ProcStatusCreds['uid'], gid: gid as ProcStatusCreds['gid'], groups,
  };
}
