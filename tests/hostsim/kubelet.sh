# The kubelet's command line as systemd starts it, and the checks the kubelet makes of it
# before doing anything else. Sourced by the kubelet stub, systemctl and kubeadm.
# shellcheck shell=bash

# The package's drop-in, cmd/krel/templates/latest/kubelet/10-kubeadm.conf in
# kubernetes/release (the same for deb and rpm but for the defaults file):
#   ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
# with KUBELET_KUBEADM_ARGS from /var/lib/kubelet/kubeadm-flags.env (kubeadm writes it) and
# KUBELET_EXTRA_ARGS from /etc/default/kubelet (deb) or /etc/sysconfig/kubelet (rpm).
# systemd splits an unquoted $VAR at whitespace (systemd.service(5), "Command lines").
hs_kubelet_cmdline() {
  local defaults=/etc/sysconfig/kubelet line key value
  [[ $HS_FAMILY == apt ]] && defaults=/etc/default/kubelet
  KUBELET_ARGS=(--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml)
  local file
  for file in /var/lib/kubelet/kubeadm-flags.env "$defaults"; do
    [[ -f $file ]] || continue
    while IFS= read -r line; do
      [[ $line == *=* && $line != \#* ]] || continue
      key=${line%%=*}
      value=${line#*=}
      value=${value#\"}
      value=${value%\"}
      [[ $key == KUBELET_KUBEADM_ARGS || $key == KUBELET_EXTRA_ARGS ]] || continue
      # shellcheck disable=SC2206
      KUBELET_ARGS+=($value)
    done <"$file"
  done
}

# Checks KUBELET_ARGS for the installed kubelet's release. Returns 1 with the message in
# KUBELET_ERROR (and writes the violation) on the first flag the kubelet refuses.
hs_kubelet_check() {
  local version
  version=$(hs_pkg_version kubelet)
  [[ -n $version ]] || return 0
  hs_kubelet_cmdline
  local -A kind since until source
  local f k s u src
  while IFS=$'\t' read -r f k s u src; do
    [[ $f == \#* || -z $f ]] && continue
    kind[$f]=$k since[$f]=$s until[$f]=$u source[$f]=$src
  done <"$HS/sim/rules/kubelet-flags.tsv"
  local i=0 arg name value
  while ((i < ${#KUBELET_ARGS[@]})); do
    arg=${KUBELET_ARGS[i]}
    ((i += 1))
    [[ $arg == --* ]] || continue
    name=${arg#--}
    value=
    if [[ $name == *=* ]]; then
      value=${name#*=}
      name=${name%%=*}
    fi
    if [[ -z ${kind[$name]:-} ]]; then
      hs_kubelet_refuse flag "unknown flag: --$name (kubelet $version)" "rules/kubelet-flags.tsv has no such kubelet flag: cmd/kubelet/app/options/options.go"
      return 1
    fi
    if ! hs_ver_ge "$version" "${since[$name]}" || { [[ ${until[$name]} != - ]] && hs_ver_ge "$version" "${until[$name]}"; }; then
      hs_kubelet_refuse flag "unknown flag: --$name (kubelet $version; the flag exists from ${since[$name]} until before ${until[$name]})" "${source[$name]}"
      return 1
    fi
    if [[ ${kind[$name]} == value && -z $value && $arg != *=* ]]; then
      value=${KUBELET_ARGS[i]:-}
      ((i += 1))
    fi
    case $name in
    node-labels) hs_kubelet_labels "$value" || return 1 ;;
    register-with-taints) hs_kubelet_taints "$value" || return 1 ;;
    node-ip)
      # pkg/kubelet/nodestatus/setters.go validateNodeIP: the address must be on the host.
      [[ $value == "$HS_ADDRESS" ]] || {
        hs_kubelet_refuse node-ip "failed to validate nodeIP: node IP: \"$value\" not found in the host's network interfaces" "kubernetes pkg/kubelet/nodestatus/setters.go, validateNodeIP"
        return 1
      }
      ;;
    esac
  done
  # The version skew policy: a kubelet may be up to three minor releases older than the API
  # server (two before 1.28) and never newer (kubernetes.io/releases/version-skew-policy).
  if [[ -f $API/version ]]; then
    local server older=3
    read -r server <"$API/version"
    hs_ver_ge "$server" 1.28 || older=2
    local sm km
    sm=$(hs_minor "$server")
    km=$(hs_minor "$version")
    if ((${km#*.} > ${sm#*.})) || ((${km#*.} + older < ${sm#*.})); then
      hs_kubelet_refuse skew "kubelet $version with kube-apiserver $server breaks the version skew policy" "kubernetes.io/releases/version-skew-policy (kubelet)"
      return 1
    fi
  fi
  return 0
}

hs_kubelet_refuse() {
  KUBELET_ERROR=$2
  printf '%s\t%s\t%s\t%s\t%s\n' "kubelet" "kubelet-$1" "the kubelet exits: $2" "$3" "kubelet ${KUBELET_ARGS[*]}" >>"$HS/log/violations"
  printf 'kubelet: %s\n[hostsim rule kubelet-%s: %s]\n' "$2" "$1" "$3" >&2
}

# cmd/kubelet/app/options/options.go ValidateKubeletFlags: a label in the kubernetes.io or
# k8s.io namespace must be one the kubelet may set (k8s.io/kubelet/pkg/apis
# well_known_labels.go IsKubeletLabel); keys and values must be valid label syntax
# (apimachinery util/validation IsQualifiedName, IsValidLabelValue).
hs_kubelet_labels() {
  local pair key value ns
  local name_re='^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$'
  local IFS=,
  for pair in $1; do
    key=${pair%%=*}
    value=${pair#*=}
    [[ $pair == *=* ]] || value=
    ns=
    [[ $key == */* ]] && ns=${key%%/*}
    if [[ $ns == kubernetes.io || $ns == *.kubernetes.io || $ns == k8s.io || $ns == *.k8s.io ]]; then
      case $key in
      kubernetes.io/hostname | kubernetes.io/os | kubernetes.io/arch | beta.kubernetes.io/os | beta.kubernetes.io/arch | \
        beta.kubernetes.io/instance-type | node.kubernetes.io/instance-type | topology.kubernetes.io/region | \
        topology.kubernetes.io/zone | failure-domain.beta.kubernetes.io/region | failure-domain.beta.kubernetes.io/zone) ;;
      *)
        if [[ $ns != kubelet.kubernetes.io && $ns != *.kubelet.kubernetes.io && $ns != node.kubernetes.io && $ns != *.node.kubernetes.io ]]; then
          hs_kubelet_refuse labels "failed to validate kubelet flags: unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: [$key]" "kubernetes cmd/kubelet/app/options/options.go, ValidateKubeletFlags"
          return 1
        fi
        ;;
      esac
    fi
    if [[ ! ${key##*/} =~ $name_re ]] || { [[ -n $value ]] && [[ ! $value =~ $name_re ]]; }; then
      hs_kubelet_refuse labels "invalid node labels: '$pair'" "kubernetes cmd/kubelet/app/options/options.go, ValidateKubeletFlags"
      return 1
    fi
  done
}

# pkg/util/taints/taints.go parseTaint: KEY[=VALUE]:EFFECT, EFFECT one of NoSchedule,
# PreferNoSchedule, NoExecute.
hs_kubelet_taints() {
  local taint IFS=,
  for taint in $1; do
    if [[ ! $taint =~ ^[A-Za-z0-9./_-]+(=[A-Za-z0-9._-]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$ ]]; then
      hs_kubelet_refuse taints "invalid taint spec: $taint" "kubernetes pkg/util/taints/taints.go, parseTaint"
      return 1
    fi
  done
}
