// What `nsjoin exec` and `nsjoin debug` share once their arguments are read: resolve the target
// once, start the program (a direct child of this process: the exec core's CLONE_PARENT, so its
// pidfd is ours to signal), pass our signals on (signals.ts), attach our terminal or a new pty,
// and turn its end into our exit status.
//
// Any way out of this process that runs JavaScript kills the program first. A SIGKILL of nsjoin
// cannot be caught; dieWithParent then ends the program, and with -t the pty's hangup (SIGHUP to
// the program's session) still ends a shell.
import { constants as osConstants } from 'node:os';
import { spawnInternal, type InternalSwitches, type JoinOptions, type NsChildProcess } from '../spawn.js';
import type { Target } from '../target-types.js';
import { resolveParsedTarget } from './common.js';
import { forwardSignals } from './signals.js';

/** What `nsjoin exec` and `nsjoin debug` start: a program, its target, and how to attach to it. @internal */
export interface Session {
  target: Target;
  file: string;
  args: string[];
  options: JoinOptions;
  interactive: boolean;
  tty: boolean;
}

/** The exit status to use: the program's own, 128+N when it was killed by signal N. */
function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const num = signal ? (osConstants.signals as Record<string, number>)[signal] : undefined;
  return 128 + (num ?? 0);
}

/**
 * Starts the program of a session with our stdio (or, with tty, on a pseudo-terminal), passes our
 * signals on, and resolves with the exit status to use (128+signal when it was killed). The
 * target is resolved here, once: the program is started in that very pid, not in a second lookup.
 * @internal
 */
export async function runSession(plan: Session): Promise<number> {
  const { pid } = resolveParsedTarget(plan.target);
  const stdin = process.stdin,
    stdout = process.stdout;
  // Raw mode only when our keystrokes go to the program: with --tty alone, ^C must still reach
  // nsjoin as SIGINT (and be passed on).
  const hostTty = plan.tty && plan.interactive && stdin.isTTY === true;
  // The program must not outlive the CLI, even when the CLI is SIGKILLed.
  const switches: InternalSwitches = { dieWithParent: true };
  if (plan.tty) {
    plan.options.pty = stdout.isTTY ? { cols: stdout.columns || 80, rows: stdout.rows || 24 } : true;
    // The target's environment has no TERM (no terminal started it); as docker exec -t, the
    // program is told what terminal it now has: ours. Set by spawn on top of the environment it
    // reads itself, under the target's pidfd (never from a /proc/PID read here, before it).
    switches.envSet = { TERM: process.env.TERM || 'xterm' };
  } else {
    plan.options.stdio = 'inherit';
  }

  const signals = forwardSignals(stdout);
  let started: NsChildProcess;
  try {
    started = spawnInternal(pid, plan.file, plan.args, plan.options, switches);
  } catch (err) {
    signals.remove();
    throw err;
  }
  signals.attach(started);

  let rawSet = false;
  const restore = () => {
    if (rawSet) {
      try {
        stdin.setRawMode(false);
      } catch {
        /* the terminal is gone */
      }
      rawSet = false;
    }
  };
  // Any exit of ours that still runs JavaScript (an uncaught exception, process.exit from
  // elsewhere) restores the terminal and takes the program with it.
  const onExit = () => {
    restore();
    if (started.exitCode === null && started.signalCode === null) started.kill('SIGKILL');
  };
  process.on('exit', onExit);

  const onData = (b: Buffer) => {
    started.pty?.write(b);
  };
  const onEnd = () => {
    started.pty?.write('\x04');
  };
  if (started.pty) {
    if (hostTty) {
      stdin.setRawMode(true);
      rawSet = true;
    }
    if (plan.interactive) {
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      stdin.resume();
    }
    started.pty.on('data', (b: Buffer) => {
      stdout.write(b);
    });
  }

  const status = new Promise<number>((resolve, reject) => {
    started.once('error', reject);
    // 'close': the exit and, with a pty, everything the program wrote before it.
    started.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve(exitStatus(code, signal)));
    // A background job left behind by a shell keeps the pty open, so 'close' would wait for it:
    // as docker exec, the session ends with the program. What it wrote is already readable.
    started.once('exit', () => {
      const pty = started.pty;
      if (pty)
        setTimeout(() => {
          if (!pty.destroyed) pty.destroy();
        }, 200).unref();
    });
  });

  try {
    return await status;
  } finally {
    signals.remove();
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    if (plan.interactive && started.pty) stdin.pause();
    restore();
    process.off('exit', onExit);
  }
}
