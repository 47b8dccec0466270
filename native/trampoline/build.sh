#!/bin/sh
# Builds the trampoline (binding.gyp runs this): static, small, and never instrumented. Compiler
# flags from the environment (CXXFLAGS, LDFLAGS: scripts/sanitize.sh's ASan) are for the addon; a
# static program cannot take them, and it runs alone, outside Node. CXX is honoured (cross builds).
#   sh native/trampoline/build.sh OUT SOURCE...
set -eu
out="$1"
shift
${CXX:-g++} -std=c++17 -O2 -D_GNU_SOURCE -fno-exceptions -fno-rtti -fno-asynchronous-unwind-tables \
  -ffunction-sections -fdata-sections -Wall -Wextra -static -s -Wl,--gc-sections -o "$out" "$@"
