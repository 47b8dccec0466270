// /proc/PID/status (proc(5)): "Key:\tvalue" lines. Only the security fields are taken.
import { ParseError } from '../errors.js';
import { lines, show } from './util.js';

/** The security-relevant fields of /proc/PID/status. */
export interface ProcStatus {
  /** Real, effective, saved and filesystem uid, as seen from the reader's user namespace. */
  uid: [number, number, number, number];
  gid: [number, number, number, number];
  /** Capability masks as printed (16 hex digits): effective, permitted, bounding, inheritable. */
  capEff: string;
  capPrm: string;
  capBnd: string;
  capInh: string;
  /** The ambient set (kernel 4.3+); '0' when the kernel does not print it. */
  capAmb: string;
  /** Supplementary groups. */
  groups: number[];
  /** no_new_privs (kernel 4.10+); undefined when the kernel does not print it. */
  noNewPrivs?: boolean;
  /** 0 off, 1 strict, 2 filter; undefined without CONFIG_SECCOMP. */
  seccomp?: 0 | 1 | 2;
}

/**
 * Parses the fields of /proc/PID/status that say who a process is and what it may do.
 *
 * @throws ParseError when Uid, Gid or a capability mask is missing or malformed
 */
export function parseProcStatus(text: string, file = '/proc/PID/status'): ProcStatus {
  const fields = new Map<string, { value: string; line: number }>();
  lines(text).forEach((raw, i) => {
    const colon = raw.indexOf(':');
    if (colon > 0) fields.set(raw.slice(0, colon), { value: raw.slice(colon + 1).trim(), line: i + 1 });
  });
  const get = (key: string): { value: string; line: number } => {
    const f = fields.get(key);
    if (!f) throw new ParseError(file, 0, `no ${key} line`);
    return f;
  };
  const ids = (key: string): [number, number, number, number] => {
    const { value, line } = get(key);
    const parts = value.split(/\s+/);
    if (parts.length !== 4 || !parts.every((p) => /^\d+$/.test(p))) throw new ParseError(file, line, `bad ${key} ${show(value)}`);
    return parts.map(Number) as [number, number, number, number];
  };
  const mask = (key: string): string => {
    const { value, line } = get(key);
    if (!/^[0-9a-f]{1,16}$/.test(value)) throw new ParseError(file, line, `bad ${key} ${show(value)}`);
    return value;
  };
  const groupsField = fields.get('Groups');
  const groups = groupsField === undefined || groupsField.value === '' ? [] : groupsField.value.split(/\s+/);
  if (!groups.every((g) => /^\d{1,10}$/.test(g))) throw new ParseError(file, groupsField!.line, `bad Groups ${show(groupsField!.value)}`);
  const out: ProcStatus = {
    uid: ids('Uid'),
    gid: ids('Gid'),
    capEff: mask('CapEff'),
    capPrm: mask('CapPrm'),
    capBnd: mask('CapBnd'),
    capInh: mask('CapInh'),
    capAmb: fields.has('CapAmb') ? mask('CapAmb') : '0',
    groups: groups.map(Number),
  };
  const nnp = fields.get('NoNewPrivs');
  if (nnp) {
    if (nnp.value !== '0' && nnp.value !== '1') throw new ParseError(file, nnp.line, `bad NoNewPrivs ${show(nnp.value)}`);
    out.noNewPrivs = nnp.value === '1';
  }
  const seccomp = fields.get('Seccomp');
  if (seccomp) {
    if (!/^[012]$/.test(seccomp.value)) throw new ParseError(file, seccomp.line, `bad Seccomp ${show(seccomp.value)}`);
    out.seccomp = Number(seccomp.value) as 0 | 1 | 2;
  }
  return out;
}
