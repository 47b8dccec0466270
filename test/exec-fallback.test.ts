// The exec core suite again, on the paths for kernels without setns(pidfd) (< 5.8) and
// close_range (< 5.9): per-namespace fds checked against the pidfd, fds closed from a /proc listing.
process.env.NSJOIN_FALLBACK = 'all';
await import('./exec-core.test.js');
