#!/usr/bin/env bash
# The whole test suite: installs the checkers the tests run when they are missing
# (idempotent, quiet), then runs cargo test. README.md names this command.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need_apt=()
command -v shellcheck >/dev/null 2>&1 || need_apt+=(shellcheck)
if ((${#need_apt[@]} > 0)); then
  echo "installing ${need_apt[*]} (apt-get)" >&2
  if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

cargo test --locked "$@"
