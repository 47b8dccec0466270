#!/usr/bin/env bash
# npm run test:kernel: runs the project's suites on a real pure-cgroup-v2 kernel (Debian's, booted
# under qemu with TCG), for hosts like CI that mount cgroup v1. See scripts/kernel/README.md.
# Needs root (apt, qemu's 9p export of /). The project must be built already (npm run build).
# Environment:
#   NSJOIN_KERNEL_SUITES   test file name prefixes: the files test/PREFIX*.test.ts run in the VM, in
#                          this order (default: "exec- cgroup- views- containers- cli- kernel-")
#   NSJOIN_KERNEL_EXCLUDE  words: test files whose name has one are left out (default: "fixtures":
#                          captured trees, the same on any kernel; the host suite runs them)
#   NSJOIN_KERNEL_JOBS     test files run side by side in the VM, one runner each (default 2, the vCPUs)
#   NSJOIN_KERNEL_TIMEOUT  seconds before the VM is killed (default 600)
#   NSJOIN_KERNEL_TEST_TIMEOUT_MS  per test file inside the VM (default 400000: a CLI file starts node
#                          dozens of times, seconds each under TCG on a loaded host)
#   NSJOIN_KERNEL_QUIET=1  do not stream the VM's console (it is kept in .cache/kernel/last/console.log)
#   NSJOIN_KERNEL_APPEND   more kernel command line
#   NSJOIN_KERNEL_ACCEL    qemu -accel value (default tcg,thread=multi; kvm where /dev/kvm works)
#   NSJOIN_KERNEL_CMD      instead of the suites, run this shell command in the VM (in the project, same
#                          environment as the tests); its exit status is the result. For debugging/timing.
set -euo pipefail
cd "$(dirname "$0")/../.."
project=$PWD
cache=.cache/kernel
# This run's folder (several runs may share a work tree); kept as $cache/last when it ends.
run=$cache/run.$$
last=$cache/last
suites=${NSJOIN_KERNEL_SUITES:-exec- cgroup- views- containers- cli- kernel-}
jobs=${NSJOIN_KERNEL_JOBS:-2}
exclude=${NSJOIN_KERNEL_EXCLUDE-fixtures}
timeout_s=${NSJOIN_KERNEL_TIMEOUT:-600}
t0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
say() { echo "test:kernel: $*"; }
die() { say "FAILED: $*" >&2; exit 1; }
keep_last() {
  [[ -d $run ]] || return 0
    rm -rf "$last" && mv -T "$run" "$last" 2>/dev/null || true
}
trap keep_last EXIT

[[ $(id -u) == 0 ]] || die "must run as root (apt, and qemu exports / over 9p)"
# The VM only runs tests, on what the host built (the same userland: the addon loads there too).
addon=build/Release/nsjoin.node
[[ -f $addon || -n ${NSJOIN_KERNEL_CMD:-} ]] || die "the addon is not built: run npm run build first"
if [[ -f $addon ]] && [[ -n $(find native binding.gyp -newer "$addon" -print -quit 2>/dev/null) ]]; then
  say "warning: native/ changed since $addon was built (npm run build)"
fi

# 1. Tools, from apt when missing (--no-install-recommends: nothing of a desktop, no systemd).
export DEBIAN_FRONTEND=noninteractive
t=$(date +%s.%N)
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
{ [[ -x /bin/busybox ]] && ! ldd /bin/busybox >/dev/null 2>&1; } || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
command -v unshare >/dev/null || need+=(util-linux)
updated=0
apt_update() { ((updated)) || { apt-get update -qq; updated=1; }; }
if ((${#need[@]})); then
  apt_update
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The kernel: linux-image-amd64 depends on the versioned package of the current ABI.
kpkg() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'; }
pkg=$(kpkg)
[[ -n $pkg ]] || { apt_update; pkg=$(kpkg); }
[[ -n $pkg ]] || die "apt knows no linux-image-amd64"
say "tools ready in $(since "$t") s; kernel package $pkg"

# 2. Kernel + initramfs, cached per kernel package and per version of the files that make them.
key=$pkg-$(cat scripts/kernel/initramfs.sh scripts/kernel/init | sha256sum | cut -c1-12)
img=$cache/$key
if [[ ! -f $img/kernel-version ]]; then
  t=$(date +%s.%N)
  if ! bash scripts/kernel/initramfs.sh "$pkg" "$img.tmp.$$"; then
    # Lists older than a security update name a package the mirror no longer has: refresh once.
    ((updated)) && die "building the initramfs failed"
    apt_update; pkg=$(kpkg); key=$pkg-${key##*-}; img=$cache/$key
    rm -rf "$img.tmp.$$"; bash scripts/kernel/initramfs.sh "$pkg" "$img.tmp.$$" || die "building the initramfs failed"
  fi
  # Another run may have built the same meanwhile: either copy will do.
  mv -T "$img.tmp.$$" "$img" 2>/dev/null || rm -rf "$img.tmp.$$"
  # Older builds are of no further use (those touched in the last hour may be another run's).
  find "$cache" -maxdepth 1 -name 'linux-image-*' ! -name "$key" -mmin +60 -exec rm -rf {} + 2>/dev/null || true
  say "initramfs built in $(since "$t") s"
else
  say "initramfs cached ($img)"
fi
kver=$(cat "$img/kernel-version")

# 3. The run folder, shared with the VM: its settings in, its results out; a fresh scratch disk.
rm -rf "$run"; mkdir -p "$run"
rm -rf "$cache"/run  # the single run folder of earlier versions
truncate -s 64M "$run/scratch.img"
{
  printf 'PROJECT=%q\n' "$project"
  printf 'FILTERS=%q\n' "$suites"
  printf 'EXCLUDE=%q\n' "$exclude"
  printf 'JOBS=%q\n' "$jobs"
  printf 'TEST_TIMEOUT_MS=%q\n' "${NSJOIN_KERNEL_TEST_TIMEOUT_MS:-400000}"
  printf 'CMD=%q\n' "${NSJOIN_KERNEL_CMD:-}"
} > "$run/vm.env"

# 4. Boot. TCG (no KVM), 2 vCPUs, 1.5 GiB, serial console; -no-reboot makes a panic end qemu too.
accel=${NSJOIN_KERNEL_ACCEL:-tcg,thread=multi}
t=$(date +%s.%N)
say "booting $kver (timeout ${timeout_s} s)"
times > "$run/times0"
set +e
timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 \
  -nodefaults -no-user-config -machine pc -accel "$accel" -cpu "${NSJOIN_KERNEL_CPU:-max}" -smp 2 -m 1536 \
  -display none -vga none -serial stdio -monitor none -no-reboot -nic none \
  -kernel "$img/vmlinuz" -initrd "$img/initrd.gz" \
  -append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init cgroup_no_v1=all mitigations=off init_on_alloc=0 ${NSJOIN_KERNEL_APPEND:-} nsjoin.run=${run##*/}" \
  -fsdev "local,id=project,path=$project,security_model=none,multidevs=remap" \
  -device virtio-9p-pci,fsdev=project,mount_tag=project \
  -fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap" \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  -fsdev "local,id=results,path=$run,security_model=none" \
  -device virtio-9p-pci,fsdev=results,mount_tag=results \
  -drive "file=$run/scratch.img,if=none,id=scratch,format=raw" \
  -device virtio-blk-pci,drive=scratch \
  </dev/null 2>"$run/qemu.err" | sed -u 's/\r$//' | tee "$run/console.log" |
  if [[ ${NSJOIN_KERNEL_QUIET:-} == 1 ]]; then cat >/dev/null; else cat; fi
qemu_rc=${PIPESTATUS[0]}
set -e
vm_s=$(since "$t")
times > "$run/times1"
# CPU time qemu used (user + sys of the children, from bash's `times`): on a loaded machine the wall
# time says little, this says how much work the VM was.
cpu_s=$(awk 'function s(v) { split(v, a, /[ms]/); return a[1] * 60 + a[2] }
  FNR == 2 { t[FILENAME] = s($1) + s($2) } END { printf "%.0f", t[ARGV[2]] - t[ARGV[1]] }' "$run/times0" "$run/times1")

# 5. Verdict, from the files the VM wrote over 9p (qemu itself exits 0 either way).
if [[ $qemu_rc == 124 || $qemu_rc == 137 ]]; then
  for f in "$run"/out-*.log; do
    i=${f##*/out-}; i=${i%.log}
    [[ -f $f && ! -f $run/rc-$i ]] || continue
    say "unfinished: $(sed -n "${i}p" "$run/files" 2>/dev/null), its last lines:"; tail -n 15 "$f" | awk '{ print "    " $0 }'
  done
  die "the VM did not finish within ${timeout_s} s (console: $last/console.log)"
fi
[[ $qemu_rc == 0 ]] || die "qemu exited $qemu_rc: $(head -c 2000 "$run/qemu.err")"
[[ -f $run/vm-error ]] && die "inside the VM: $(cat "$run/vm-error")"
[[ -f $run/vm-done ]] || die "the VM stopped before the end of the run (console: $last/console.log)"
if [[ -n ${NSJOIN_KERNEL_CMD:-} ]]; then
  rc=$(cat "$run/rc-cmd" 2>/dev/null || echo none)
  say "command exited $rc in the VM; VM ran ${vm_s} s (qemu CPU ${cpu_s} s), total $(since "$t0") s"
  [[ $rc == 0 ]] || exit 1
  exit 0
fi
passed=0 failed=0 skipped=0 bad=() i=0
[[ -s $run/files ]] || die "no test file matches \"$suites\" in test/"
while read -r f; do
  i=$((i + 1))
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$run/out-$i.log" 2>/dev/null | tail -1 || true)
  rc=$(cat "$run/rc-$i" 2>/dev/null || echo none)
  if [[ -z $summary ]]; then
    say "  $f: no result (runner exit $rc)"; bad+=("$f"); continue
  fi
  read -r p _ fl _ s _ <<<"$summary"
  say "  $f: $p passed, $fl failed, $s skipped$([[ $rc == 0 ]] || echo " (exit $rc)")"
  passed=$((passed + p)) failed=$((failed + fl)) skipped=$((skipped + s))
  [[ $rc == 0 ]] || bad+=("$f")
done < "$run/files"
say "VM (kernel $kver, pure cgroup v2): $passed passed, $failed failed, $skipped skipped in $i files; VM ran ${vm_s} s (qemu CPU ${cpu_s} s), total $(since "$t0") s"
((passed + failed > 0)) || die "no test ran in the VM"
((${#bad[@]} == 0)) || die "failing in the VM: ${bad[*]}"
