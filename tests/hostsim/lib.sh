# Sourced by every stub in bin/: the call log, violations, injected failures, the node's
# facts and the package database. Inside the scratch root the simulator lives at /hostsim:
#   /hostsim/sim      this folder (read-only)      /hostsim/facts    the machine (shell vars)
#   /hostsim/kernel   kernel and process state     /hostsim/log      calls, violations, mutations
#   /hostsim/cluster  the API server and the cloud, shared by the nodes of one spec
# Files a package or a command leaves on a real host are written where the host keeps them
# (/etc, /var, /run, /usr/local), so the test's snapshot of the root sees them.
# shellcheck shell=bash disable=SC2034

HS=/hostsim
HS_TOOL=${0##*/}
HS_ARGS=("$@")
# shellcheck disable=SC1091
. "$HS/facts"
PKGDB=/var/lib/hostsim
API=$HS/cluster/api
CLOUD=$HS/cluster/cloud

# One line per call: the program, its arguments (shell-quoted) and the working directory.
hs_line=
(($#)) && printf -v hs_line ' %q' "$@"
printf '%s%s\t%s\n' "$HS_TOOL" "$hs_line" "$PWD" >>"$HS/log/calls"

# Writes a violation of RULE (MESSAGE, SOURCE: the upstream file and function) for the
# test, prints it as the real tool would print its error, and exits with CODE (default 1).
hs_refuse() {
  local rule=$1 message=$2 source=$3 code=${4:-1}
  printf '%s\t%s\t%s\t%s\t%s%s\n' "$HS_TOOL" "$rule" "$message" "$source" "$HS_TOOL" "$hs_line" >>"$HS/log/violations"
  printf '%s: %s\n[hostsim rule %s: %s]\n' "$HS_TOOL" "$message" "$rule" "$source" >&2
  exit "$code"
}

# A violation the real tool does not fail on at once, but that breaks the node later (the
# kubelet crash-looping on a bad flag, a firewall that drops the API port).
hs_flag() {
  local rule=$1 message=$2 source=$3
  printf '%s\t%s\t%s\t%s\t%s%s\n' "$HS_TOOL" "$rule" "$message" "$source" "$HS_TOOL" "$hs_line" >>"$HS/log/violations"
  printf '%s: %s\n[hostsim rule %s: %s]\n' "$HS_TOOL" "$message" "$rule" "$source" >&2
}

# A change to state that existed (a node joined, a route created, a token made): the test
# requires a second run to make none of these.
hs_mutate() {
  printf '%s\t%s\n' "$HS_TOOL" "$*" >>"$HS/log/mutations"
}

# Something the simulator has no model for: a violation, so a new call gets a stub rule
# instead of passing unchecked.
hs_unmodelled() {
  hs_refuse unmodelled "the simulator has no model of: $HS_TOOL${hs_line}" "tests/hostsim/bin/$HS_TOOL: add the call with its upstream rule" 2
}

# kubeplan's rule for secrets (issue 15): a script does not hand the join token or the
# certificate key on to the programs it runs (bootstrap.sh's read_secret: export -n).
[[ -n ${KUBEPLAN_JOIN_TOKEN:-}${KUBEPLAN_CERTIFICATE_KEY:-} ]] &&
  hs_flag secret-env "$HS_TOOL runs with a secret in its environment" "issue 15; bootstrap.sh's read_secret keeps a secret out of its programs' environment (export -n)"

# The test picks one call to fail (/hostsim/fail holds the start of its command line); the
# first call that matches fails once, as a real failing program would.
if [[ -f $HS/fail && ! -e $HS/log/failed ]]; then
  read -r hs_fail_pattern <"$HS/fail"
  if [[ "$HS_TOOL$hs_line " == "$hs_fail_pattern "* ]]; then
    printf '%s\n' "$HS_TOOL$hs_line" >"$HS/log/failed"
    printf 'hostsim: injected failure of %s\n' "$hs_fail_pattern" >&2
    exit 1
  fi
fi

# True when A >= B for versions MAJOR.MINOR[.PATCH].
hs_ver_ge() {
  local -a a b
  IFS=. read -ra a <<<"${1#v}"
  IFS=. read -ra b <<<"${2#v}"
  local i
  for i in 0 1 2; do
    ((${a[i]:-0} > ${b[i]:-0})) && return 0
    ((${a[i]:-0} < ${b[i]:-0})) && return 1
  done
  return 0
}

# MAJOR.MINOR of a version.
hs_minor() {
  local v=${1#v}
  printf '%s\n' "${v%.*}"
}

# The version of an installed package, or nothing.
hs_pkg_version() {
  [[ -f $PKGDB/packages/$1 ]] && read -r REPLY <"$PKGDB/packages/$1" && printf '%s\n' "${REPLY%%-*}"
}

# A program a package provides is on PATH (/hostsim/path) only once the package is
# installed; this guards a call by full path.
hs_need_installed() {
  local program=${1:-$HS_TOOL}
  if [[ ! -e $PKGDB/bin/$program ]]; then
    printf '%s\t%s\t%s\t%s\t%s%s\n' "$HS_TOOL" "not-installed" "$program is called before the package that provides it is installed" "rules/packages.tsv: the distribution's package contents" "$HS_TOOL" "$hs_line" >>"$HS/log/violations"
    printf 'bash: %s: command not found\n' "$program" >&2
    exit 127
  fi
}

# True when the program is on the node's PATH (a package installed it, or the image has it).
hs_in_path() {
  [[ -e $PKGDB/bin/$1 ]]
}

# True when a systemd unit is active.
hs_active() {
  [[ -e $HS/kernel/systemd/active/$1 ]]
}

# True when the CRI socket URL answers: the unit that serves it runs. The sockets are the
# runtimes' defaults: containerd's (containerd defaults/defaults_unix.go), cri-dockerd's
# (cri-dockerd.socket in Mirantis/cri-dockerd packaging/systemd).
hs_cri_up() {
  case ${1#unix://} in
  /var/run/containerd/containerd.sock | /run/containerd/containerd.sock) hs_active containerd.service ;;
  /var/run/cri-dockerd.sock | /run/cri-dockerd.sock) hs_active cri-docker.socket || hs_active cri-docker.service ;;
  *) return 1 ;;
  esac
}

# Reads the flattened YAML of FILE (yaml.awk) into the associative array YAML.
declare -A YAML
hs_yaml() {
  local key value
  YAML=()
  while IFS='=' read -r key value; do
    YAML[$key]=$value
  done < <(awk -f "$HS/sim/yaml.awk" "$1")
}
