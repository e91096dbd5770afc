# systemd as the stubs see it: which units exist, enabling, starting, daemon-reload.
# Sourced by systemctl, the package managers and kubeadm. A package's units are listed in
# /var/lib/hostsim/units; an administrator's are files in /etc/systemd/system. Active units
# are process state, kept in /hostsim/kernel/systemd/active.
# shellcheck shell=bash

SD_STATE=$HS/kernel/systemd

hs_unit_exists() {
  [[ -e $PKGDB/units/$1 || -f /etc/systemd/system/$1 ]]
}

# The [Install] target of a unit: WantedBy= of its file, else by its type (the packages'
# units all install into the usual targets).
hs_unit_wanted_by() {
  local file=/etc/systemd/system/$1 line
  if [[ -f $file ]]; then
    REPLY=
    while IFS= read -r line; do
      [[ $line == WantedBy=* ]] && REPLY=${line#WantedBy=} && REPLY=${REPLY%% *} && return 0
    done <"$file"
    return 1
  fi
  case $1 in
  *.socket) REPLY=sockets.target ;;
  *.timer) REPLY=timers.target ;;
  *) REPLY=multi-user.target ;;
  esac
}

# systemctl enable: a symlink in TARGET.wants, as systemctl(1) "enable" makes. A unit
# without an [Install] section cannot be enabled; systemctl says so and succeeds.
hs_unit_enable() {
  local unit=$1 target
  if ! hs_unit_wanted_by "$unit"; then
    printf 'The unit files have no installation config (WantedBy=, RequiredBy=, Also=,\nAlias= settings in the [Install] section, and DefaultInstance= for template\nunits). This means they are not meant to be enabled or disabled using systemctl.\n' >&2
    return 0
  fi
  if [[ -f /etc/systemd/system/$unit ]]; then target=/etc/systemd/system/$unit; else target=/usr/lib/systemd/system/$unit; fi
  if [[ $(readlink "/etc/systemd/system/$REPLY.wants/$unit" 2>/dev/null) != "$target" ]]; then
    mkdir -p "/etc/systemd/system/$REPLY.wants"
    ln -sfn "$target" "/etc/systemd/system/$REPLY.wants/$unit"
    printf 'Created symlink /etc/systemd/system/%s.wants/%s → %s.\n' "$REPLY" "$unit" "$target" >&2
  fi
}

hs_unit_disable() {
  local link
  for link in /etc/systemd/system/*.wants/"$1"; do
    [[ -L $link ]] && rm -f "$link" && printf 'Removed "%s".\n' "$link" >&2
  done
  return 0
}

# Starts UNIT (and what it Requires=). Checks that a unit file systemd loaded before has not
# changed on disk without daemon-reload (systemctl(1): "Warning: The unit file ... changed
# on disk. Run 'systemctl daemon-reload'"; systemd keeps running the old definition), and
# that ExecStart's program exists (systemd.service(5); else "Failed at step EXEC").
hs_unit_start() {
  local unit=$1 file=/etc/systemd/system/$1 line program dep
  hs_unit_exists "$unit" || {
    printf 'Failed to start %s: Unit %s not found.\n' "$unit" "$unit" >&2
    return 5
  }
  mkdir -p "$SD_STATE/active" "$SD_STATE/loaded"
  if [[ -f $file ]]; then
    if [[ -f $SD_STATE/loaded/$unit ]]; then
      cmp -s "$file" "$SD_STATE/loaded/$unit" ||
        hs_flag daemon-reload "$unit changed on disk and systemd was not reloaded: it runs the old definition" "systemd systemctl(1), daemon-reload"
    else
      cp "$file" "$SD_STATE/loaded/$unit"
    fi
    while IFS= read -r line; do
      case $line in
      Requires=*)
        for dep in ${line#Requires=}; do
          hs_active "$dep" || hs_unit_start "$dep" || return
        done
        ;;
      ExecStart=*)
        program=${line#ExecStart=}
        program=${program#[-@:+!]}
        program=${program%% *}
        if [[ ! -x $program && ! -e $PKGDB/bin/${program##*/} ]]; then
          printf 'Job for %s failed: %s: Failed at step EXEC spawning %s: No such file or directory\n' "$unit" "$unit" "$program" >&2
          hs_flag exec-missing "$unit runs $program, which does not exist on the node" "systemd.service(5), ExecStart="
          return 1
        fi
        ;;
      esac
    done <"$file"
  fi
  case $unit in
  kubelet.service)
    . "$HS/sim/kubelet.sh"
    hs_kubelet_check || true
    ;;
  docker.service) hs_active containerd.service || hs_unit_start containerd.service ;;
  esac
  : >"$SD_STATE/active/$unit"
}

hs_unit_stop() {
  rm -f "$SD_STATE/active/$1"
}

# daemon-reload: systemd loads every unit file anew.
hs_daemon_reload() {
  local file
  mkdir -p "$SD_STATE/loaded"
  for file in /etc/systemd/system/*.service /etc/systemd/system/*.socket /etc/systemd/system/*.timer; do
    [[ -f $file ]] && cp "$file" "$SD_STATE/loaded/${file##*/}"
  done
  return 0
}
