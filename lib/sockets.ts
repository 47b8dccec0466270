// Sockets inside a target's network namespace: reach a service that listens only on the
// container's own loopback, or serve inside the container from this process, without starting
// anything in it. The socket is made by a short-lived native thread that joins only the target's
// network namespace (native/socket.cc); it then belongs to that namespace for good, and Node uses
// it like any other (net.Socket / net.Server over the fd).
//
// Names are not resolved inside the namespace: a host name is looked up here, with this
// process's resolver (/etc/hosts, DNS servers of the host), and the address it yields is then
// used inside the target. Pass an IP address to be sure of what is reached.
import { Server, Socket } from 'node:net';
import { binding } from './binding.js';
import { E } from './errno.js';
import { NsError } from './errors.js';
import { closeFd } from './fd.js';
import { nativeError, type NativeFailure } from './native-error.js';
import { describe } from './describe.js';
import type { Target } from './targets.js';
import { resolveEndpoint, type ConnectInOptions, type ListenInOptions, type Resolved, type UnixEndpoint } from './socket-endpoint.js';

export type { ConnectInOptions, ListenInOptions, TcpEndpoint, UnixEndpoint } from './socket-endpoint.js';

// Hints of socketIn's own steps; nativeError adds the shared ones (ESRCH, ptrace access).
function socketHint({ step, errno }: NativeFailure): string | undefined {
  if (step === 'setns' && (errno === E.EPERM || errno === E.EACCES))
    return "joining the target's network namespace needs CAP_SYS_ADMIN in its user namespace; run as root";
  if (step === 'connect' && errno === E.ECONNREFUSED) return "nothing listens there in the target's network namespace";
  if (step === 'open' && errno === E.ENOTSOCK)
    return "that path is not a socket in the target's root (symlinks are followed inside that root only)";
  if (step === 'open' && errno === E.ENOSYS) return 'Unix socket paths in a target need openat2 (Linux >= 5.6)';
  return undefined;
}

function socketError(r: Resolved, failure: NativeFailure): NsError {
  const where = r.spec.family === 'unix' ? `/${r.spec.dir === '.' ? '' : `${r.spec.dir}/`}${r.spec.name}` : undefined;
  return nativeError(failure, { pid: r.pid, path: where, hint: socketHint(failure) });
}

function makeSocket(r: Resolved): Promise<number> {
  return new Promise((resolve, reject) => {
    binding().socketIn(r.spec, (err, fd) => {
      if (err) reject(socketError(r, err));
      else resolve(fd!);
    });
  });
}

/**
 * Opens a connection from this process to a service inside the target: a TCP connection made in
 * the target's network namespace (its loopback, its interfaces and routes), or a Unix stream
 * socket in the target's filesystem.
 *
 * Host names are resolved on the host, not in the target (pass an IP address to be exact).
 * @returns a connected net.Socket (close-on-exec; the connect has completed).
 * @throws (rejects) TypeError/RangeError for bad arguments; NsError: ESRCH (no such process),
 * EPERM (setns: needs CAP_SYS_ADMIN), ECONNREFUSED, ETIMEDOUT (`timeout`), ENOENT (no such socket
 * path in the target's root), ENOTSOCK (the path, symlinks followed inside the root, is not a
 * socket), ENOSYS (no openat2), ENOTFOUND-style lookup errors.
 */
export async function connectIn(target: Target, options: ConnectInOptions): Promise<Socket> {
  const r = await resolveEndpoint(target, options, 'connect');
  const fd = await makeSocket(r);
  try {
    return new Socket({ fd, readable: true, writable: true });
  } catch (err) {
    closeFd(fd);
    throw err;
  }
}

/**
 * Starts a server of this process that listens inside the target: on a TCP address of the
 * target's network namespace (reachable by programs in the target, not on our own interfaces),
 * or on a Unix socket path in the target's filesystem (the file is created by the bind and not
 * removed on close; `server.address()` returns the path as given, in the target's view).
 *
 * Host names are resolved on the host, not in the target.
 * @returns a net.Server already listening (the 'listening' event has fired; `address().port`
 * holds the port the kernel chose for port 0).
 * @throws (rejects) TypeError/RangeError for bad arguments; NsError: ESRCH, EPERM, EADDRINUSE,
 * EADDRNOTAVAIL (the address is not one of the target's), ENOENT (no such directory).
 */
export async function listenIn(target: Target, options: ListenInOptions): Promise<Server> {
  const backlog = (options as { backlog?: unknown } | null)?.backlog;
  if (backlog !== undefined && (typeof backlog !== 'number' || !Number.isInteger(backlog) || backlog < 0 || backlog > 65535)) {
    throw new RangeError(`backlog must be an integer 0-65535, got ${describe(backlog)}`);
  }
  let r = await resolveEndpoint(target, options, 'bind');
  let fd: number;
  try {
    fd = await makeSocket(r);
  } catch (err) {
    // Node's own default: all IPv6 addresses, else all IPv4 ones where IPv6 is off.
    const code = (err as NsError).code;
    const hostGiven = (options as { host?: unknown }).host !== undefined;
    if (hostGiven || r.spec.family !== 'inet6' || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw err;
    r = { pid: r.pid, spec: { ...r.spec, family: 'inet', address: Buffer.alloc(4) } };
    fd = await makeSocket(r);
  }
  const server = new Server();
  return new Promise<Server>((resolve, reject) => {
    const fail = (err: Error) => {
      server.close();
      reject(err);
    };
    server.once('error', fail);
    try {
      server.listen({ fd }, backlog ?? 511, () => {
        server.off('error', fail);
        // The kernel knows the socket by the /proc/self/fd/N/NAME it was bound through.
        const path = (options as UnixEndpoint).path;
        if (r.spec.family === 'unix') server.address = () => path;
        resolve(server);
      });
    } catch (err) {
      closeFd(fd);
      reject(err as Error);
    }
  });
}
