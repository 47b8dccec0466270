// spawn()'s first stage: the JS spec object (RawSpawnSpec in lib/binding.ts) read into a
// SpawnRequest. The TypeScript layer validates everything first; this decodes defensively all the
// same (native/sys.h Decoder), so that any value handed to the raw binding gets a TypeError.

#include "spawn.h"

namespace nsjoin {

bool DecodeSpawnRequest(const Napi::CallbackInfo& info, SpawnRequest* req) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "spawn(spec): spec must be an object", true);
    return false;
  }
  Napi::Object spec = info[0].As<Napi::Object>();
  Decoder d{env};
  SpecHeader& h = req->header;
  auto flag = [&](const char* key, uint32_t bit) {
    if (d.Bool(spec, key)) h.flags |= bit;
  };
  // The keys are read in this order: a getter that throws, or the first bad value, is reported.
  req->pid = static_cast<int>(d.Int(spec, "pid", 1, 4194304));
  // -1: spawn opens the pidfd itself. Only a pidfd opened before the caller read /proc makes the
  // liveness check (OpenHostFds) vouch for what the caller read too.
  req->callerPidfd = static_cast<int>(d.Int(spec, "pidfd", -1, 0x7fffffff));
  h.nsMask = static_cast<uint32_t>(d.Int(spec, "nsMask", 0, 0x7fffffff));
  flag("setnsPidfd", kSetnsPidfd);
  flag("closeRange", kCloseRange);
  req->root = d.Bool(spec, "root");
  req->cwdFromTarget = d.Bool(spec, "cwdFromTarget");
  flag("verifyCwd", kVerifyCwd);
  flag("cwdFallbackToRoot", kCwdFallbackToRoot);
  flag("freshSysfs", kFreshSysfs);
  flag("freshProc", kFreshProc);
  flag("setsid", kSetsid);
  h.cttyIndex = static_cast<int32_t>(d.Int(spec, "ctty", -1, 1023));
  flag("dieWithParent", kDieWithParent);
  if (DecodeCreds(d, spec, &req->creds)) PutCreds(req->creds, &h);
  for (int64_t fd : d.IntArray(spec, "stdio", -1, 0x7fffffff)) req->stdio.push_back(static_cast<int>(fd));
  req->cgroupPaths = d.StrArray(spec, "cgroupProcs");
  req->argv = d.StrArray(spec, "argv");
  req->envp = d.StrArray(spec, "envp");
  req->execPaths = d.StrArray(spec, "execPaths");
  Napi::Value cwd = d.Get(spec, "cwd");
  if (!d.failed && !cwd.IsNull() && !cwd.IsUndefined()) {
    req->cwdPath = d.Str(cwd, "cwd");
    h.flags |= kHasCwdPath;
  }
  if (d.failed) return false;
  if (req->argv.empty() || req->execPaths.empty() || req->stdio.size() > 1024) {
    ThrowCoded(env, "ERR_INVALID_ARG_VALUE",
               "spawn(spec): argv and execPaths must not be empty; at most 1024 stdio slots", true);
    return false;
  }
  if (h.cttyIndex >= static_cast<int>(req->stdio.size())) {
    ThrowCoded(env, "ERR_INVALID_ARG_VALUE", "spawn(spec): ctty must be one of the stdio slots", true);
    return false;
  }
  return true;
}

}  // namespace nsjoin
