// Starting a program inside the namespaces of another process (docs/architecture.md, "Starting a
// program in a target"): the addon's spawn() and the small calls lib/spawn/ makes around it.
//
//   Node ──clone(CLONE_VM|CLONE_VFORK)──> joiner ──execveat──> trampoline ──fork(CLONE_PARENT)──> program
//
// The trampoline, a small process of its own that stays in the host's pid namespace (the target
// can neither see nor signal it), joins the target and forks the program with CLONE_PARENT: inside
// the target's pid namespace, a direct child of Node, watched through a pidfd (native/exit.cc). So
// no process the target can see shares Node's memory, and Node never waits on one.
//
// spawn() runs in stages, each in a file of its own (native/spawn.h): decode the spec, open from
// the host, run the joiner, and turn the outcome into the JS result here. Whether the program's own
// steps and execve worked arrives later on the start pipe, whose read end goes to TypeScript: a
// {step, errno, arg} report, or EOF once execve worked.

#include "spawn.h"

#include <fcntl.h>

namespace nsjoin {
namespace {

// A failure: the shape of every native call's failure (sys.h Failure) with the step's argument
// (lib/native-error.ts isNativeFailure tells it from a start).
Napi::Value FailureResult(Napi::Env env, const SpawnFailure& f) {
  Napi::Object r = Failure(env, f.step, f.err);
  r.Set("arg", f.arg);
  return r;
}

Napi::Value StartedResult(Napi::Env env, Started* s) {
  Napi::Object r = Napi::Object::New(env);
  r.Set("pid", s->pid);
  r.Set("pidfd", s->pidfd.release());
  r.Set("startFd", s->startRead.release());
  return r;
}

// spawn(spec) -> { ok: true, pid, pidfd, startFd } | Failure { step, errno } & { ok: false, arg }
// startFd: the start pipe's read end (close-on-exec): a 16-byte {step, errno, arg, 0} report if the
// program failed before execve, else EOF once it exec'd.
Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SpawnRequest req;
  if (!DecodeSpawnRequest(info, &req)) return env.Undefined();
  HostFds fds;
  Started started;
  SpawnFailure f;
  if (!OpenHostFds(req, &fds, &f) || !RunJoiner(req, &fds, &started, &f)) return FailureResult(env, f);
  return StartedResult(env, &started);
}

// pidfdOpen(pid) -> a close-on-exec pidfd, or Failure { step: 'pidfd_open', errno }.
Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double pid = info.Length() < 1 || !info[0].IsNumber() ? 0 : info[0].As<Napi::Number>().DoubleValue();
  if (!(pid >= 1 && pid <= 4194304) || pid != static_cast<int>(pid))
    return ThrowCoded(env, "ERR_INVALID_ARG_VALUE", "pidfdOpen(pid): pid must be an integer 1-4194304", true);
  long fd = sys_pidfd_open(static_cast<int>(pid), 0);
  if (fd < 0) return Failure(env, "pidfd_open", errno);
  return Napi::Number::New(env, static_cast<double>(fd));
}

// pipe() -> [readFd, writeFd], both close-on-exec, or Failure { step: 'pipe2', errno }.
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Failure(info.Env(), "pipe2", errno);
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, fds[0]);
  a.Set(1u, fds[1]);
  return a;
}

// kernelFeatures() -> which of the newer calls this kernel has, probed without side effects.
Napi::Value KernelFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  // close_range with first > last is EINVAL when the call exists, ENOSYS otherwise.
  bool closeRange = !(sys_close_range(2, 1, 0) != 0 && errno == ENOSYS);
  // setns(pidfd) (5.8) has no side-effect-free probe; flags 0 on a pidfd is EINVAL on all kernels.
  // Whether the kernel accepts it is decided from the version in TypeScript.
  Fd self(static_cast<int>(sys_pidfd_open(getpid(), 0)));
  o.Set("closeRange", closeRange);
  o.Set("pidfdOpen", self.ok());
  return o;
}

}  // namespace

void InitSpawn(Napi::Env env, Napi::Object exports) {
  exports.Set("spawn", Napi::Function::New(env, Spawn, "spawn"));
  exports.Set("pipe", Napi::Function::New(env, Pipe, "pipe"));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen, "pidfdOpen"));
  exports.Set("kernelFeatures", Napi::Function::New(env, KernelFeatures, "kernelFeatures"));
  Napi::Array steps = Napi::Array::New(env, kStepCount);
  for (uint32_t i = 0; i < kStepCount; i++) steps.Set(i, kStepNames[i]);
  exports.Set("spawnSteps", steps);
  Napi::Array credsSteps = Napi::Array::New(env, kCredsStepCount);
  for (uint32_t i = 0; i < kCredsStepCount; i++) credsSteps.Set(i, kCredsStepNames[i]);
  exports.Set("credsSteps", credsSteps);
}

}  // namespace nsjoin
