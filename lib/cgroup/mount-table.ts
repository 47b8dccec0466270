// The reader's own mount table (/proc/self/mountinfo), parsed once and reused while the kernel
// says it has not changed.
import { closeSync, fstatSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { binding } from '../binding.js';
import { readText } from '../io.js';
import { parseMountinfo, type MountInfo } from '../parse/mountinfo.js';
import type { RootOptions } from '../targets.js';

// The last mountinfo parsed. The reader's own /proc/self/mountinfo is watched: a file of it is
// kept open (close-on-exec) and the kernel marks that file with POLLPRI as soon as any mount of the
// namespace is added, removed or moved (see native/mountwatch.cc); until then the parsed table is
// served without reading the file again. The mark is taken (poll) BEFORE the file is read anew, so
// a change that races the read marks the file again and the next call reads once more: a stale
// table is never served. Any other path (a captured procRoot), or no addon, falls back to reading
// the file every time and reusing the parse only when the text is the same.
let lastMounts: { path: string; text: string; mounts: MountInfo[] } | undefined;
let watchFd = -1;
let watchDev = 0,
  watchIno = 0;
let watchUnavailable = false;

/** Whether the parsed table of `path` is current: true only for a watched mountinfo the kernel has not marked. */
function mountsUnchanged(path: string): boolean {
  if (path !== '/proc/self/mountinfo' || watchUnavailable) return false;
  try {
    if (watchFd < 0) {
      // Opened before the first read: every change after this point marks the fd.
      watchFd = openSync(path, 'r');
      // Which file it is: if our fd is ever closed behind our back and its number reused, poll on
      // the other file would never report a change; pollPri checks dev and ino first.
      const st = fstatSync(watchFd);
      watchDev = st.dev;
      watchIno = st.ino;
      return false;
    }
    const r = binding().pollPri(watchFd, watchDev, watchIno);
    if (r === 0) return lastMounts?.path === path;
    if (typeof r === 'object' && r.errno === constants.errno.ESTALE) {
      // Our fd was closed by someone else and its number is another file now: not ours to close.
      // Forget it; the next call opens a new one.
      watchFd = -1;
      lastMounts = undefined;
      return false;
    }
    if (typeof r === 'object') throw new Error(`${r.step}: errno ${r.errno}`);
    // Marked (and the mark now taken): forget the table, so that a failed read cannot leave it served.
    lastMounts = undefined;
    return false;
  } catch {
    // No addon, or poll failed: read every time, as before.
    watchUnavailable = true;
    if (watchFd >= 0)
      try {
        closeSync(watchFd);
      } catch {
        /* already gone */
      }
    watchFd = -1;
    return false;
  }
}

/** Reads and parses the reader's own mountinfo (`procRoot`/self/mountinfo). Callers must not modify the result. */
export function readMounts(options: RootOptions = {}): MountInfo[] {
  const path = `${options.procRoot ?? '/proc'}/self/mountinfo`;
  if (mountsUnchanged(path)) return lastMounts!.mounts;
  const text = readText(path);
  if (lastMounts && lastMounts.path === path && lastMounts.text === text) return lastMounts.mounts;
  const mounts = parseMountinfo(text, path);
  lastMounts = { path, text, mounts };
  return mounts;
}
