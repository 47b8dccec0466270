// Which newer kernel calls the addon may use. Shared by spawn and sockets (both join namespaces
// through a pidfd), so it lives apart from either.
import { release } from 'node:os';
import { binding } from '../binding.js';

/** What kernelSupport() reports: setns(2) on a pidfd (Linux 5.8), close_range(2) (5.9). */
export interface Kernel {
  setnsPidfd: boolean;
  closeRange: boolean;
}
let kernel: Kernel | undefined;

/**
 * Which newer kernel calls nsjoin uses. setns(pidfd) needs Linux 5.8, close_range 5.9; older
 * kernels get the fallbacks (per-namespace fds checked against the pidfd; closing fds listed in
 * /proc). NSJOIN_FALLBACK=setns,close_range (or 'all') forces the fallbacks, for tests.
 */
export function kernelSupport(): Kernel {
  if (kernel) return kernel;
  const [major = 0, minor = 0] = release().split(/[.-]/).map(Number);
  const force = (process.env.NSJOIN_FALLBACK ?? '').split(',');
  const forced = (name: string) => force.includes(name) || force.includes('all');
  const features = binding().kernelFeatures();
  kernel = {
    setnsPidfd: !forced('setns') && (major > 5 || (major === 5 && minor >= 8)),
    closeRange: !forced('close_range') && features.closeRange,
  };
  return kernel;
}
