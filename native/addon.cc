// The nsjoin addon: only what must be native (docs/architecture.md). Everything else is TypeScript.
#include "sys.h"

namespace nsjoin {
void InitPty(Napi::Env env, Napi::Object exports);
void InitSocket(Napi::Env env, Napi::Object exports);
void InitOpenat2(Napi::Env env, Napi::Object exports);
void InitMountwatch(Napi::Env env, Napi::Object exports);
void InitFd(Napi::Env env, Napi::Object exports);
}  // namespace nsjoin

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  nsjoin::InitSpawn(env, exports);
  nsjoin::InitExit(env, exports);
  nsjoin::InitPty(env, exports);
  nsjoin::InitSocket(env, exports);
  nsjoin::InitOpenat2(env, exports);
  nsjoin::InitMountwatch(env, exports);
  nsjoin::InitFd(env, exports);
  return exports;
}

NODE_API_MODULE(nsjoin, Init)
