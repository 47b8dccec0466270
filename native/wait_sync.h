// spawnSync's wait (native/wait_sync.cc), called by Child.waitSync (native/exit.cc).
#pragma once

#include "fd_holder.h"
#include "sys.h"

namespace nsjoin {

// waitSync(options = { stdinFd, input, outFds: number[], timeoutMs, killSignal, maxBuffer })
//   -> { code, signal, outputs: Buffer[], timedOut, overflow }
// Waits for the program of *pidfd until it has exited and is reaped, then closes *pidfd. Bad
// options: a TypeError, *pidfd untouched.
Napi::Value WaitSync(Napi::Env env, const Napi::Object& options, Fd* pidfd);

}  // namespace nsjoin
