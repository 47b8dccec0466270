// What NsChildProcess shows of Node's ChildProcess without a process behind it: its public fields
// (set by lib/spawn/child.ts), typed events, and the IPC methods of a child that has no IPC
// channel (as Node's after disconnect()).
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { NamespaceType } from '../namespaces.js';
import type { PtyInfo, PtyStream } from '../pty.js';
import { ipcError } from './errors.js';

/** The events of an NsChildProcess and their listeners, as ChildProcess declares them. */
export interface NsChildProcessEvents {
  close: (code: number | null, signal: NodeJS.Signals | null) => void;
  disconnect: () => void;
  error: (err: Error) => void;
  exit: (code: number | null, signal: NodeJS.Signals | null) => void;
  message: (message: unknown, sendHandle: unknown) => void;
  spawn: () => void;
}

/** The base of NsChildProcess: its fields, events and the absent IPC channel. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the interface below only types the class's events, as @types/node types ChildProcess's
export class ChildProcessBase extends EventEmitter {
  /** Host pid of the program; undefined if it failed to start. */
  pid: number | undefined;
  /** Writable end of the program's stdin, when stdio[0] is 'pipe'. */
  stdin: Writable | null = null;
  /** Readable end of the program's stdout, when stdio[1] is 'pipe'. */
  stdout: Readable | null = null;
  /** Readable end of the program's stderr, when stdio[2] is 'pipe'. */
  stderr: Readable | null = null;
  /** One entry per stdio slot: our stream for 'pipe' slots, else null (Node's tuple type). */
  readonly stdio = [] as unknown as [
    Writable | null,
    Readable | null,
    Readable | null,
    Readable | Writable | null | undefined,
    Readable | Writable | null | undefined,
  ];
  /** Exit status once exited normally; the negative errno after a start failure; else null. */
  exitCode: number | null = null;
  /** Signal name once killed by a signal, else null. */
  signalCode: NodeJS.Signals | null = null;
  /** True once kill() delivered a signal. */
  killed = false;
  /** The program as started (after `shell`). */
  readonly spawnfile: string;
  /** argv of the program, argv0 first. */
  readonly spawnargs: string[];
  /** The namespaces that were joined; empty until started. */
  namespaces: NamespaceType[] = [];
  /** The master side of the program's terminal when spawned with `pty`, else null. What the
   *  program writes is read here (stdout and stderr alike); what is written here is its input. */
  pty: PtyStream | null = null;
  /** Which devpts the pty came from and its path in the program's view; null without `pty`. */
  ptyInfo: PtyInfo | null = null;

  /** Always false: there is no IPC channel. */
  readonly connected = false;

  constructor(file: string, argv: string[]) {
    super();
    this.spawnfile = file;
    this.spawnargs = argv;
  }

  /** There is no IPC channel: as Node's send() on a closed channel (the error goes to the callback, else 'error'). */
  send(message: unknown, ...rest: unknown[]): boolean {
    const err = ipcError('ERR_IPC_CHANNEL_CLOSED');
    const cb = rest.find((r): r is (e: Error) => void => typeof r === 'function');
    process.nextTick(() => (cb ? cb(err) : this.emit('error', err)));
    return false;
  }

  /** There is no IPC channel: emits 'error' ERR_IPC_DISCONNECTED, as Node's disconnect() once disconnected. */
  disconnect(): void {
    this.emit('error', ipcError('ERR_IPC_DISCONNECTED'));
  }
}

// Typed events: each listener method takes a known event with its listener, or any other name
// (with EventEmitter's own `any[]` arguments, so that every listener of Node's types still fits).
/* eslint-disable @typescript-eslint/no-explicit-any */
type On<T> = {
  <E extends keyof NsChildProcessEvents>(event: E, listener: NsChildProcessEvents[E]): T;
  (event: string | symbol, listener: (...args: any[]) => void): T;
};
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the class above
export interface ChildProcessBase {
  addListener: On<this>;
  on: On<this>;
  once: On<this>;
  prependListener: On<this>;
  prependOnceListener: On<this>;
  emit<E extends keyof NsChildProcessEvents>(event: E, ...args: Parameters<NsChildProcessEvents[E]>): boolean;
  emit(event: string | symbol, ...args: any[]): boolean;
}
/* eslint-enable @typescript-eslint/no-explicit-any */
