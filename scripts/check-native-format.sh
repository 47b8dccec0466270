#!/usr/bin/env bash
# The addon's C++ against .clang-format (npm run format:check). Without clang-format the check is
# reported as skipped, with how to get it; under CI (which installs it) that is a failure.
files=(native/*.cc native/*.h native/trampoline/*.cc native/trampoline/*.h)
if ! command -v clang-format >/dev/null; then
  echo "native format check: skipped: clang-format is not installed (apt-get install clang-format)" >&2
  [[ ${CI:-} == true ]] && exit 1
  exit 0
fi
if [[ ${1:-} == --write ]]; then exec clang-format -i "${files[@]}"; fi
clang-format --dry-run --Werror "${files[@]}" && echo "native/: clang-format clean (${#files[@]} files)"
