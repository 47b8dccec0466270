// Whether a process's cgroup is frozen (docker pause, the v1 freezer or v2 cgroup.freeze). A
// process that joins a frozen cgroup stops at once; nsjoin's joiner would stop with Node's thread
// waiting on it. `runc exec` refuses a paused container; so does spawn's default cgroup join.
import { readTextIfExists } from '../io.js';
import type { CgroupLocation } from './types.js';

/** True when the v1 freezer or the v2 cgroup of `where` is frozen or freezing. @internal */
export function cgroupFrozen(where: CgroupLocation): boolean {
  const freezer = where.controllers.freezer;
  const v1 = freezer === undefined ? undefined : readTextIfExists(`${freezer}/freezer.state`)?.trim();
  if (v1 === 'FROZEN' || v1 === 'FREEZING') return true;
  const events = where.unified === undefined ? undefined : readTextIfExists(`${where.unified}/cgroup.events`);
  return events !== undefined && /^frozen 1$/m.test(events);
}
