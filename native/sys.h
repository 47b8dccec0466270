// Raw system calls that glibc 2.36 lacks or wraps unsafely for a CLONE_VM child, and the
// argument-decoding helpers shared by the addon's functions.
#pragma once

#include <napi.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

namespace nsjoin {

// Syscalls made directly: glibc's setuid/setgid/setgroups broadcast to every thread of the
// process (its setxid machinery), which in a CLONE_VM child would signal Node's own threads.
inline long sys_pidfd_open(int pid, unsigned flags) { return syscall(SYS_pidfd_open, pid, flags); }
inline long sys_pidfd_send_signal(int pidfd, int sig) { return syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0); }
inline long sys_setns(int fd, int nstype) { return syscall(SYS_setns, fd, nstype); }
inline long sys_close_range(unsigned first, unsigned last, unsigned flags) {
  return syscall(SYS_close_range, first, last, flags);
}

// Throws a JS error with a `code` property (the classic-level way: codes decided in C++, the
// message completed in TypeScript).
inline Napi::Value ThrowCoded(Napi::Env env, const char* code, const std::string& message, bool typeError = false) {
  Napi::Error err = typeError ? Napi::TypeError::New(env, message) : Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  err.ThrowAsJavaScriptException();
  return env.Undefined();
}

// The one failure shape of every small call of the addon (all but spawn() and the exit/wait code):
// { step, errno }, errno positive, `step` naming the call or stage that failed. A synchronous call
// returns it in place of its result; an asynchronous one passes it as its callback's first
// argument. lib/native-error.ts turns it into an NsError (the one place that builds them).
inline Napi::Object Failure(Napi::Env env, const char* step, int err) {
  Napi::Object f = Napi::Object::New(env);
  f.Set("step", step);
  f.Set("errno", err);
  return f;
}

// Argument decoding: every getter validates the JS type and reports a TypeError instead of
// aborting, so that random values handed to the raw binding can never crash the process.
struct Decoder {
  Napi::Env env;
  bool failed = false;

  void Fail(const std::string& what) {
    // A getter or Proxy trap that threw has left its exception pending: that one is reported, as
    // throwing a second one over it is a fatal error in N-API.
    if (!failed && !env.IsExceptionPending())
      ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "nsjoin addon: bad argument " + what, true);
    failed = true;
  }
  // o[key], or an empty value (and failed) when reading it threw.
  Napi::Value Get(const Napi::Object& o, const char* key) {
    if (failed) return Napi::Value();
    Napi::Value v = o.Get(key);
    if (env.IsExceptionPending()) return Fail(key), Napi::Value();
    return v;
  }
  Napi::Value At(const Napi::Array& a, uint32_t i, const char* key) {
    if (failed) return Napi::Value();
    Napi::Value v = a.Get(i);
    if (env.IsExceptionPending()) return Fail(key), Napi::Value();
    return v;
  }
  // v as an integer in [min, max], or 0 (and failed).
  int64_t IntOf(const Napi::Value& v, const char* key, int64_t min, int64_t max) {
    if (failed) return 0;
    if (!v.IsNumber()) return Fail(key), 0;
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= static_cast<double>(min) && d <= static_cast<double>(max)) ||
        d != static_cast<double>(static_cast<int64_t>(d)))
      return Fail(key), 0;
    return static_cast<int64_t>(d);
  }
  int64_t Int(const Napi::Object& o, const char* key, int64_t min, int64_t max) {
    if (failed) return 0;
    return IntOf(Get(o, key), key, min, max);
  }
  bool Bool(const Napi::Object& o, const char* key) {
    if (failed) return false;
    Napi::Value v = Get(o, key);
    if (failed) return false;
    if (!v.IsBoolean()) return Fail(key), false;
    return v.As<Napi::Boolean>().Value();
  }
  // Strings must not contain NUL: the kernel would silently cut them there.
  std::string Str(const Napi::Value& v, const char* key) {
    if (failed) return {};
    if (!v.IsString()) return Fail(key), std::string();
    std::string s = v.As<Napi::String>().Utf8Value();
    if (s.find('\0') != std::string::npos) return Fail(std::string(key) + " (contains NUL)"), std::string();
    return s;
  }
  // Hands each element of the array o[key] (at most maxLength) to `each`, until one fails. The
  // length is read once: an element getter may grow the array without end.
  template <typename F>
  void Each(const Napi::Object& o, const char* key, uint32_t maxLength, F each) {
    if (failed) return;
    Napi::Value v = Get(o, key);
    if (failed) return;
    if (!v.IsArray()) return Fail(key);
    Napi::Array a = v.As<Napi::Array>();
    uint32_t n = a.Length();
    if (n > maxLength) return Fail(key);
    for (uint32_t i = 0; i < n && !failed; i++) {
      Napi::Value e = At(a, i, key);
      if (!failed) each(e);
    }
  }
  std::vector<std::string> StrArray(const Napi::Object& o, const char* key) {
    std::vector<std::string> out;
    Each(o, key, 1u << 20, [&](const Napi::Value& e) { out.push_back(Str(e, key)); });
    return out;
  }
  std::vector<int64_t> IntArray(const Napi::Object& o, const char* key, int64_t min, int64_t max) {
    std::vector<int64_t> out;
    Each(o, key, 65536, [&](const Napi::Value& e) {
      int64_t x = IntOf(e, key, min, max);
      if (!failed) out.push_back(x);
    });
    return out;
  }
};

void InitSpawn(Napi::Env env, Napi::Object exports);
void InitExit(Napi::Env env, Napi::Object exports);

}  // namespace nsjoin
