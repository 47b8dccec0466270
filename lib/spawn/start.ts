// Starting the program from a plan: the pty (if any), the stdio fds, the addon's spawn(); then
// the program's ends, the pty's slave and the target's pidfd are closed in our process whatever
// happened. Shared by the asynchronous child (lib/spawn/child.ts) and spawnSync (lib/spawn/sync.ts).
import { binding, type RawSpawnResult } from '../binding.js';
import { closeFd } from '../fd.js';
import { openPtyFor, type PtyInfo } from '../pty.js';
import type { CheckedOptions } from './options.js';
import { releasePlan, type Plan } from './plan.js';
import { closeChildEnds, closeParentFds, openStdio } from './stdio.js';

/** A program handed to the addon: its result, our ends of its pipes, the pty's master side. */
export interface Launched {
  plan: Plan;
  result: RawSpawnResult;
  parentFds: Array<number | null>;
  pty: { master: number; info: PtyInfo } | null;
}

/**
 * Reads the target (prepare) and starts the program through the addon. When the addon reports a
 * failure (a NativeFailure), our ends are still open for the caller (its streams end at once).
 * @throws what prepare throws, or a failure to open the stdio or the pty; nothing is left open then
 */
export function launch(prepare: () => Plan, o: CheckedOptions): Launched {
  const plan = prepare();
  let pty: ReturnType<typeof openPtyFor> | undefined;
  try {
    if (o.pty) pty = openPtyFor(plan.spec.root || plan.joined.includes('mnt') ? plan.pid : 0, o.pty);
    const stdio = openStdio(pty ? [pty.slave, pty.slave, pty.slave] : o.stdio);
    let result: RawSpawnResult;
    try {
      result = binding().spawn({ ...plan.spec, pidfd: plan.pidfd, stdio: stdio.childFds });
    } catch (err) {
      closeParentFds(stdio.parentFds);
      throw err;
    } finally {
      closeChildEnds(stdio);
    }
    return { plan, result, parentFds: stdio.parentFds, pty: pty ? { master: pty.master, info: pty.info } : null };
  } catch (err) {
    if (pty) closeFd(pty.master);
    throw err;
  } finally {
    if (pty) closeFd(pty.slave);
    releasePlan(plan);
  }
}
