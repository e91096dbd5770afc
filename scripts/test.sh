#!/usr/bin/env bash
# The whole test suite: installs the checkers the tests run when they are missing
# (idempotent, quiet), runs cargo test, then prints how many artifacts each checker
# saw. README.md names this command; .ci/run calls it. docs/testing.md lists the checks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi

# Debian packages: a file each provides, and the package.
need_apt=()
for pair in \
  /usr/bin/shellcheck:shellcheck \
  /usr/bin/systemd-analyze:systemd \
  /usr/lib/cni/bridge:containernetworking-plugins \
  /usr/sbin/iptables:iptables \
  /usr/sbin/ip:iproute2 \
  /usr/bin/unshare:util-linux; do
  [[ -e ${pair%%:*} ]] || need_apt+=("${pair#*:}")
done
# node and npm may come from elsewhere than Debian; any on the PATH will do.
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if ((${#need_apt[@]} > 0)); then
  echo "installing ${need_apt[*]} (apt-get)" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# npm packages, pinned by tests/tools/package-lock.json.
if [[ ! -e tests/tools/node_modules/@cdktf/hcl2json/package.json ]]; then
  echo "installing tests/tools npm packages (npm ci)" >&2
  (cd tests/tools && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# End-of-life dates are judged against the day the release matrix was last reviewed, so the
# suite says the same on any later day; tests/cli.rs runs validate on the clock as well.
KUBEPLAN_TODAY="${KUBEPLAN_TODAY:-$(sed -n 's/^reviewed = "\(.*\)"$/\1/p' compiler/releases/matrix.toml)}"
export KUBEPLAN_TODAY

checks=target/tmp/checks
rm -rf "$checks"
cargo test --locked "$@"

# The whole suite also fuzzes spec loading briefly (scripts/fuzz.sh 600 is the long run).
if (($# == 0)); then
  KUBEPLAN_FUZZ_SEED="${KUBEPLAN_FUZZ_SEED:-1}" scripts/fuzz.sh "${KUBEPLAN_FUZZ_SECONDS:-60}"
fi

if [[ -d $checks ]]; then
  echo
  echo "artifacts checked, per tool:"
  cat "$checks"/*.txt | sort | sed 's/^/  /'
fi
