// The signals a user or a supervisor sends to `nsjoin exec`/`debug`, passed on to the program.
// The handlers go in before the program starts: a signal in between would otherwise kill this
// process by its default action and leave the program running; such a signal is kept and
// passed on once the program exists.
import type { NsChildProcess } from '../spawn.js';

/** What nsjoin passes on to the program it started. */
export const FORWARDED = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const;

/** Handlers of FORWARDED, installed now: `attach` the program when it exists, `remove` at the end. */
export interface Forwarder {
  attach(child: NsChildProcess): void;
  remove(): void;
}

/** Installs the handlers of FORWARDED; signals that arrive before `attach` are passed on then. */
export function forwardSignals(stdout: NodeJS.WriteStream = process.stdout): Forwarder {
  let child: NsChildProcess | undefined;
  const early: NodeJS.Signals[] = [];
  const handlers = new Map<NodeJS.Signals, () => void>();
  const forward = (sig: NodeJS.Signals) => {
    if (!child) early.push(sig);
    // A pty resize makes the kernel send SIGWINCH to the program's foreground job itself.
    else if (sig === 'SIGWINCH' && child.pty) resize(child);
    else child.kill(sig);
  };
  const resize = (c: NsChildProcess) => {
    if (!stdout.isTTY) return;
    try {
      c.resize(stdout.columns || 80, stdout.rows || 24);
    } catch {
      /* pty already closed */
    }
  };
  for (const sig of FORWARDED) {
    const h = () => forward(sig);
    handlers.set(sig, h);
    process.on(sig, h);
  }
  return {
    attach(c) {
      child = c;
      for (const sig of early.splice(0)) forward(sig);
    },
    remove() {
      for (const [sig, h] of handlers) process.off(sig, h);
    },
  };
}
