// /proc/PID/mountinfo (proc(5)): "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue".
import { ParseError } from '../errors.js';
import { lines, show, toInt } from './util.js';

/** One mount of /proc/PID/mountinfo, with the octal escapes (\040 for a space, ...) undone. */
export interface MountInfo {
  mountId: number;
  parentId: number;
  major: number;
  minor: number;
  /**
   * The directory of the filesystem that forms this mount's root (for cgroupfs: the cgroup it shows).
   * Not always a path: an nsfs bind mount shows `net:[4026532554]`.
   */
  root: string;
  /** Where it is mounted, relative to the reader's root. */
  mountPoint: string;
  /** Per-mount options (rw, nosuid, relatime, ...). */
  mountOptions: string[];
  /** Optional fields such as 'shared:1', 'master:2'. */
  optionalFields: string[];
  /** 'cgroup', 'cgroup2', 'ext4', ... */
  fsType: string;
  source: string;
  /** Per-superblock options; for cgroup v1 these name the controllers ('rw,cpu,cpuacct', 'name=systemd'). */
  superOptions: string[];
}

/** Undoes the kernel's mangling of spaces, tabs, newlines and backslashes (\040, \011, \012, \134). */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * Parses mountinfo.
 *
 * @throws ParseError on an empty file or a line without the " - " separator or its ten fixed fields
 */
export function parseMountinfo(text: string, file = '/proc/PID/mountinfo'): MountInfo[] {
  const all = lines(text);
  if (all.length === 0) throw new ParseError(file, 0, 'empty file');
  return all.map((raw, i) => {
    const line = i + 1;
    const fields = raw.split(' ');
    const sep = fields.indexOf('-', 6);
    if (sep < 0 || fields.length !== sep + 4) throw new ParseError(file, line, `malformed mount line ${show(raw)}`);
    const dev = /^(\d+):(\d+)$/.exec(fields[2]!);
    if (!dev) throw new ParseError(file, line, `bad device ${show(fields[2]!)}`);
    const root = unescapeMountField(fields[3]!);
    const mountPoint = unescapeMountField(fields[4]!);
    // The root is whatever the filesystem's show_path prints (fs/proc_namespace.c): a path for most,
    // but nsfs bind mounts (docker's and `ip netns`'s netns files) print `net:[4026532554]`. Only the
    // mount point is always an absolute path (the kernel skips lines whose mount point is unreachable).
    if (root === '' || !mountPoint.startsWith('/')) throw new ParseError(file, line, 'empty root or relative mount point');
    return {
      mountId: toInt(fields[0]!, file, line, 'mount id'),
      parentId: toInt(fields[1]!, file, line, 'parent id'),
      major: Number(dev[1]),
      minor: Number(dev[2]),
      root,
      mountPoint,
      mountOptions: fields[5]!.split(','),
      optionalFields: fields.slice(6, sep),
      fsType: unescapeMountField(fields[sep + 1]!),
      source: unescapeMountField(fields[sep + 2]!),
      superOptions: unescapeMountField(fields[sep + 3]!).split(','),
    };
  });
}
