// The nsjoin addon: only what must be native (DESIGN.md). Everything else is TypeScript.
#include "sys.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  nsjoin::InitSpawn(env, exports);
  nsjoin::InitExit(env, exports);
  return exports;
}

NODE_API_MODULE(nsjoin, Init)
