// The program's credentials (creds.h). Everything the child does here is a raw system call on
// memory prepared before the clone: no allocation, no locks, no glibc wrappers that signal Node's
// other threads (glibc's setuid family broadcasts to every thread of the process).

#include "creds.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>

#include <cstdlib>
#include <cstring>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

namespace nsjoin {

const char* const kCredsStepNames[kCredsStepCount] = {
    "ok", "capbset", "setgroups", "setgid", "setuid", "keepcaps", "capset", "ambient", "lsm", "no_new_privs",
};

Creds::~Creds() {
  if (procFd >= 0) close(procFd);
}

namespace {

// A 64-bit capability mask as the TypeScript side sends it: 1 to 16 hex digits.
uint64_t Mask(Decoder& d, const Napi::Object& o, const char* key) {
  std::string s = d.Str(d.Get(o, key), key);
  if (d.failed) return 0;
  if (s.empty() || s.size() > 16 || s.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    d.Fail(key);
    return 0;
  }
  return strtoull(s.c_str(), nullptr, 16);
}

CredsFailure Failed(int32_t step, int32_t err, int32_t arg = -1) { return CredsFailure{step, err, arg}; }

int WriteAll(int fd, const std::string& s) {
  ssize_t n;
  do n = write(fd, s.data(), s.size());
  while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(s.size()) ? 0 : (n < 0 ? errno : EIO);
}

}  // namespace

bool DecodeCreds(Decoder& d, const Napi::Object& spec, Creds* c) {
  c->uid = d.Int(spec, "uid", -1, 0xfffffffe);
  c->gid = d.Int(spec, "gid", -1, 0xfffffffe);
  c->setGroups = d.Bool(spec, "setGroups");
  c->groupsOptional = d.Bool(spec, "groupsOptional");
  for (int64_t g : d.IntArray(spec, "groups", 0, 0xfffffffe)) c->groups.push_back(static_cast<gid_t>(g));
  Napi::Value v = d.Get(spec, "creds");
  if (d.failed) return false;
  if (v.IsNull() || v.IsUndefined()) return true;  // privileges 'caller'
  if (!v.IsObject()) return d.Fail("creds"), false;
  Napi::Object o = v.As<Napi::Object>();
  c->applyCaps = true;
  c->bounding = Mask(d, o, "bounding");
  c->permitted = Mask(d, o, "permitted");
  c->effective = Mask(d, o, "effective");
  c->inheritable = Mask(d, o, "inheritable");
  c->ambient = Mask(d, o, "ambient");
  c->noNewPrivs = d.Bool(o, "noNewPrivs");
  Napi::Value lsm = d.Get(o, "lsm");
  if (d.failed) return false;
  if (!lsm.IsNull() && !lsm.IsUndefined()) {
    if (!lsm.IsObject()) return d.Fail("creds.lsm"), false;
    c->lsmAttr = d.Str(d.Get(lsm.As<Napi::Object>(), "attr"), "creds.lsm.attr");
    c->lsmValue = d.Str(d.Get(lsm.As<Napi::Object>(), "value"), "creds.lsm.value");
    if (d.failed) return false;
    // Only the two attribute files an LSM reads an exec label from; the path is fixed here, not
    // taken from anything a caller (or a container) could bend.
    if (c->lsmAttr != "attr/exec" && c->lsmAttr != "attr/apparmor/exec") return d.Fail("creds.lsm.attr"), false;
    c->lsmAttr = "thread-self/" + c->lsmAttr;
    c->procFd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (c->procFd < 0) return false;
  }
  return !d.failed;
}

CredsFailure ApplyCredentials(const Creds& c) {
  if (c.applyCaps) {
    // 1. The bounding set, while we still hold CAP_SETPCAP. EINVAL past the kernel's last cap.
    for (int cap = 0; cap < 64; cap++) {
      int has = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
      if (has < 0) break;
      if (has == 1 && !((c.bounding >> cap) & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
        return Failed(kCredsCapbset, errno, cap);
    }
    // A uid change from 0 would clear the permitted set; capset below sets it to what we mean.
    if (c.uid >= 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return Failed(kCredsKeepcaps, errno);
  }
  // 2. Ids (raw calls: this thread only).
  if (c.setGroups && syscall(SYS_setgroups, c.groups.size(), c.groups.data()) != 0) {
    if (!(c.groupsOptional && errno == EPERM)) return Failed(kCredsSetgroups, errno);
  }
  if (c.gid >= 0 && syscall(SYS_setresgid, c.gid, c.gid, c.gid) != 0) return Failed(kCredsSetgid, errno);
  if (c.uid >= 0 && syscall(SYS_setresuid, c.uid, c.uid, c.uid) != 0) return Failed(kCredsSetuid, errno);
  if (!c.applyCaps) return CredsFailure{kCredsOk, 0, -1};

  // 3. Permitted, effective, inheritable: never more than we hold now (after the setns into a
  // user namespace that is the full set of that namespace; else what the caller has).
  __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct cur[2] = {};
  if (syscall(SYS_capget, &hdr, cur) != 0) return Failed(kCredsCapset, errno);
  uint64_t curPrm = cur[0].permitted | (static_cast<uint64_t>(cur[1].permitted) << 32);
  uint64_t curInh = cur[0].inheritable | (static_cast<uint64_t>(cur[1].inheritable) << 32);
  uint64_t prm = c.permitted & curPrm;
  uint64_t eff = c.effective & prm;
  uint64_t inh = c.inheritable & (curInh | curPrm);
  __user_cap_data_struct next[2] = {};
  next[0].permitted = static_cast<uint32_t>(prm);
  next[1].permitted = static_cast<uint32_t>(prm >> 32);
  next[0].effective = static_cast<uint32_t>(eff);
  next[1].effective = static_cast<uint32_t>(eff >> 32);
  next[0].inheritable = static_cast<uint32_t>(inh);
  next[1].inheritable = static_cast<uint32_t>(inh >> 32);
  hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  if (syscall(SYS_capset, &hdr, next) != 0) return Failed(kCredsCapset, errno);

  // 4. Ambient: cleared (ours must not leak through), then the target's, which the kernel allows
  // only for capabilities both permitted and inheritable. EINVAL: a kernel before 4.3.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return Failed(kCredsAmbient, errno);
  uint64_t amb = c.ambient & prm & inh;
  for (int cap = 0; cap < 64; cap++) {
    if (((amb >> cap) & 1) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) return Failed(kCredsAmbient, errno, cap);
  }

  // 5. The LSM label the kernel applies at execve (AppArmor change_onexec, SELinux setexeccon),
  // before no_new_privs, which would restrict the transition. Written through the host's /proc:
  // the program may already be chrooted into the container, whose /proc it does not trust.
  if (c.procFd >= 0) {
    int fd = openat(c.procFd, c.lsmAttr.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return Failed(kCredsLsm, errno);
    int err = WriteAll(fd, c.lsmValue);
    close(fd);
    if (err != 0) return Failed(kCredsLsm, err);
  }
  // 6. no_new_privs, when the target has it: nothing exec'd can gain privileges.
  if (c.noNewPrivs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return Failed(kCredsNoNewPrivs, errno);
  return CredsFailure{kCredsOk, 0, -1};
}

}  // namespace nsjoin
