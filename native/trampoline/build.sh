#!/bin/sh
# Builds the trampoline (binding.gyp runs this): static, small, and never instrumented. Compiler
# flags from the environment (CXXFLAGS, LDFLAGS: scripts/sanitize.sh's ASan) are for the addon; a
# static program cannot take them, and it runs alone, outside Node. CXX is honoured (cross builds).
#   sh native/trampoline/build.sh OUT SOURCE...
# No C library and no start files (start.cc says why): freestanding, not position-independent (so
# nothing to relocate at start), no stack protector (nothing would set up its canary), and no loop
# turned into a call to memset/memcpy/strlen (start.cc's own memset would call itself).
set -eu
out="$1"
shift
${CXX:-g++} -std=c++17 -O2 -fno-exceptions -fno-rtti -fno-asynchronous-unwind-tables \
  -ffreestanding -nostdlib -nostartfiles -fno-stack-protector -fno-pie -no-pie -fno-tree-loop-distribute-patterns \
  -ffunction-sections -fdata-sections -Wall -Wextra -static -s -Wl,--gc-sections -Wl,--build-id=none -o "$out" "$@"
