// The program's credentials, Node's side (creds.h): decoded from the spec object and checked,
// then written into the trampoline's spec. The trampoline applies them (native/trampoline/creds.cc).

#include "creds.h"

#include <cstdlib>

namespace nsjoin {
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

}  // namespace

bool DecodeCreds(Decoder& d, const Napi::Object& spec, Creds* c) {
  c->uid = d.Int(spec, "uid", -1, 0xfffffffe);
  c->gid = d.Int(spec, "gid", -1, 0xfffffffe);
  c->setGroups = d.Bool(spec, "setGroups");
  c->groupsOptional = d.Bool(spec, "groupsOptional");
  for (int64_t g : d.IntArray(spec, "groups", 0, 0xfffffffe)) c->groups.push_back(static_cast<uint32_t>(g));
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
  }
  return !d.failed;
}

void PutCreds(const Creds& c, SpecHeader* h) {
  h->uid = c.uid;
  h->gid = c.gid;
  h->nGroups = static_cast<uint32_t>(c.groups.size());
  if (c.setGroups) h->flags |= kSetGroups;
  if (c.groupsOptional) h->flags |= kGroupsOptional;
  if (!c.applyCaps) return;
  h->flags |= kApplyCaps;
  h->capBounding = c.bounding;
  h->capPermitted = c.permitted;
  h->capEffective = c.effective;
  h->capInheritable = c.inheritable;
  h->capAmbient = c.ambient;
  if (c.noNewPrivs) h->flags |= kNoNewPrivs;
  if (!c.lsmAttr.empty()) h->flags |= kHasLsm;
}

}  // namespace nsjoin
