# Installing packages, shared by apt-get, dnf and zypper. rules/packages.tsv says what each
# package holds; the database is /var/lib/hostsim/{packages,bin,units,holds}.
# shellcheck shell=bash

. "$HS/sim/systemd.sh"

# The row of PACKAGE for this node's package manager: PKG_SOURCE, PKG_BINS, PKG_UNITS,
# PKG_STARTS, PKG_DEPS. Returns 1 for a package the archive does not have.
hs_pkg_row() {
  local m p s b u st d
  while IFS=$'\t' read -r m p s b u st d; do
    if [[ $m == "$HS_FAMILY" && $p == "$1" ]]; then
      PKG_SOURCE=$s PKG_BINS=$b PKG_UNITS=$u PKG_STARTS=$st PKG_DEPS=$d
      return 0
    fi
  done <"$HS/sim/rules/packages.tsv"
  return 1
}

# The pkgs.k8s.io channel (vMAJOR.MINOR) this node's package manager can install from, or
# nothing. pkgs.k8s.io has one repository per minor release, from v1.24 on (kubernetes.io
# blog 2023-08-15, "pkgs.k8s.io: Introducing Kubernetes Community-Owned Package Repositories").
hs_k8s_channel() {
  local f line
  REPLY=
  case $HS_FAMILY in
  apt)
    for f in /var/lib/apt/lists/hostsim-pkgs.k8s.io-*; do
      [[ -f $f ]] && REPLY=${f##*-}
    done
    ;;
  dnf | zypper)
    for f in /etc/yum.repos.d/*.repo /etc/zypp/repos.d/*.repo; do
      [[ -f $f ]] || continue
      while IFS= read -r line; do
        # pkgs.k8s.io, or the test specs' mirror of it (tests/common/specs.rs, MIRROR).
        [[ $line =~ ^baseurl=(https://pkgs\.k8s\.io|https://mirror\.corp\.example/pkgs-k8s)/core:/stable:/(v1\.[0-9]+)/rpm/?$ ]] && REPLY=${BASH_REMATCH[2]}
      done <"$f"
    done
    ;;
  esac
  [[ -n $REPLY ]]
}

# True when a pkgs.k8s.io channel vX.Y exists: v1.24 to the newest release the simulator knows.
hs_channel_exists() {
  [[ $1 =~ ^v1\.([0-9]+)$ ]] && ((BASH_REMATCH[1] >= 24 && BASH_REMATCH[1] <= 37))
}

# Records PACKAGE at VERSION, its programs and units, and its dependencies. Services to
# start are collected in PKG_TO_START (dpkg configures, and so starts, after unpacking all).
PKG_TO_START=()
hs_pkg_put() {
  local pkg=$1 version=$2 dep b u
  hs_pkg_row "$pkg" || return 1
  mkdir -p "$PKGDB/packages" "$PKGDB/bin" "$PKGDB/units"
  local old=
  [[ -f $PKGDB/packages/$pkg ]] && read -r old <"$PKGDB/packages/$pkg"
  [[ $old == "$version" ]] && return 0
  printf '%s\n' "$version" >"$PKGDB/packages/$pkg"
  if [[ -n $old ]]; then hs_mutate "package $pkg $old -> $version"; else hs_mutate "package $pkg $version installed"; fi
  local IFS=,
  for b in $PKG_BINS; do
    [[ $b == - ]] && continue
    printf '%s\n' "$pkg" >"$PKGDB/bin/$b"
    # On PATH from now on (/hostsim/path holds the installed programs' stubs).
    [[ -e $HS/sim/bin/$b ]] && ln -sfn "$HS/sim/bin/$b" "$HS/path/$b"
  done
  for u in $PKG_UNITS; do [[ $u == - ]] || printf '%s\n' "$pkg" >"$PKGDB/units/$u"; done
  if [[ $PKG_STARTS == yes ]]; then
    for u in $PKG_UNITS; do PKG_TO_START+=("$u"); done
  fi
  # An upgraded package restarts its running service (deb-systemd-invoke in the postinst;
  # %systemd_postun_with_restart in RPM specs).
  if [[ -n $old && $PKG_STARTS != yes ]]; then
    for u in $PKG_UNITS; do hs_active "$u" && PKG_TO_START+=("$u"); done
  fi
  for dep in $PKG_DEPS; do
    [[ $dep == - || -f $PKGDB/packages/$dep ]] && continue
    case $dep in
    kubelet | kubectl | kubernetes-cni | cri-tools) hs_pkg_put "$dep" "$(hs_dep_version "$dep" "$version")" ;;
    *) hs_pkg_put "$dep" 1.0 ;;
    esac
  done
}

# The version a dependency resolves to: the version asked for it on the same command line
# (PKG_ASKED), else the newest of the channel.
declare -A PKG_ASKED
hs_dep_version() {
  if [[ -n ${PKG_ASKED[$1]:-} ]]; then
    printf '%s\n' "${PKG_ASKED[$1]}"
  else
    hs_k8s_channel
    printf '%s.99-1.1\n' "${REPLY#v}"
  fi
}

hs_pkg_start_collected() {
  local u
  for u in "${PKG_TO_START[@]}"; do
    hs_unit_enable "$u" 2>/dev/null
    hs_unit_start "$u" || true
  done
}
