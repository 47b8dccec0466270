// spawnSync, the entry point (lib/spawn.ts re-exports it); its core is lib/spawn/sync.ts.
import type { Target } from '../targets.js';
import { NO_INTERNAL } from './internal.js';
import { checkOptions, splitArguments } from './options.js';
import { runSync } from './sync.js';
import { targetPid } from './target-pid.js';
import type { SpawnSyncOptions, SpawnSyncResult } from './types.js';

/**
 * Runs a program inside the target and waits for it, blocking the event loop, like
 * child_process.spawnSync. Every failure after argument checks (no such target, start failures,
 * timeouts, maxBuffer overruns) is reported in `error`, not thrown.
 * @throws TypeError/RangeError for bad arguments.
 */
export function spawnSync(
  target: Target,
  file: string,
  args: readonly string[] | null | undefined,
  options: SpawnSyncOptions & { encoding: BufferEncoding },
): SpawnSyncResult<string>;
export function spawnSync(target: Target, file: string, options: SpawnSyncOptions & { encoding: BufferEncoding }): SpawnSyncResult<string>;
export function spawnSync(
  target: Target,
  file: string,
  args?: readonly string[] | null,
  options?: SpawnSyncOptions & { encoding?: 'buffer' | null },
): SpawnSyncResult<Buffer>;
export function spawnSync(
  target: Target,
  file: string,
  options: SpawnSyncOptions & { encoding?: 'buffer' | null },
): SpawnSyncResult<Buffer>;
export function spawnSync(
  target: Target,
  file: string,
  args?: readonly string[] | null,
  options?: SpawnSyncOptions,
): SpawnSyncResult<string | Buffer>;
export function spawnSync(
  target: Target,
  file: string,
  args?: readonly string[] | null | SpawnSyncOptions,
  options?: SpawnSyncOptions,
): SpawnSyncResult<string | Buffer> {
  const a = splitArguments(args, options);
  const o = checkOptions('spawnSync', file, a.args, a.options);
  return runSync(targetPid(target), o, NO_INTERNAL);
}
