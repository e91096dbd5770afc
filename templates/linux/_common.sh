NODE_NAME={{ node.name | sh(quoted=true) }}
NODE_ADDRESS={{ node.address | sh(quoted=true) }}
NODE_INTERFACE={{ node.interface | sh(quoted=true) }}
DISTRO={{ node.linux.distro | sh(quoted=true) }}
DISTRO_ID={{ node.linux.os_release_id | sh(quoted=true) }}
DISTRO_MAJOR={{ node.linux.major | sh(quoted=true) }}
KUBE_VERSION={{ cluster.kubernetes_version | sh(quoted=true) }}
{%- if not cluster.docker %}
PAUSE_IMAGE={{ cluster.versions.pause_image | sh(quoted=true) }}
{%- endif %}
NODE_LABELS={{ node.kubelet_labels | sh(quoted=true) }}
NODE_TAINTS={{ node.kubelet_taints | sh(quoted=true) }}
{%- set part = "variables" %}{% include "linux/network.sh" %}
# Work from the folder holding this script and its files.
cd "$(dirname "${BASH_SOURCE[0]}")"

log() { printf 'kubeplan[%s]: %s\n' "$NODE_NAME" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
# Moves the new file NEW to DEST (mode 0644) unless DEST already holds the same bytes,
# and succeeds only when DEST changed: a run again restarts nothing that did not change.
replace_file() {
  local new=$1 dest=$2
  if [[ -f $dest ]] && cmp -s "$new" "$dest"; then
    rm -f "$new"
    return 1
  fi
  install -D -m 0644 "$new" "$dest"
  rm -f "$new"
}

# Fetches URL to DEST and checks it before it is used; CHECK is sha256:HEX (a hash kubeplan
# or the spec pins), checksum-file:URL (the publisher's checksum file, whose first word is
# the SHA-256) or unverified (the spec's releases block accepts the file unchecked). A file
# that fails is removed.
fetch_verified() {
  local dest=$1 url=$2 check=$3 expected actual
  curl -fsSL -o "$dest.download" "$url"
  case $check in
  sha256:*) expected=${check#sha256:} ;;
  checksum-file:*) expected=$(curl -fsSL "${check#checksum-file:}" | awk '{ print $1; exit }') ;;
  unverified)
    log "warning: $url is not verified (the spec's releases block accepts it unchecked)"
    mv -f "$dest.download" "$dest"
    return 0
    ;;
  *) die "no way to verify $url" ;;
  esac
  actual=$(sha256sum "$dest.download" | awk '{ print $1 }')
  if [[ ${actual,,} != "${expected,,}" ]]; then
    rm -f "$dest.download"
    die "the SHA-256 of $url is $actual, not the expected ${expected:-(none)}"
  fi
  mv -f "$dest.download" "$dest"
}
# Fetches the signing key at URL to DEST and checks its primary key's fingerprint before
# a package manager trusts it (gpg(1), --show-keys --with-colons: field 10 of the fpr line).
fetch_key() {
  local dest=$1 url=$2 fingerprint=$3 got
  curl -fsSL -o "$dest.download" "$url"
  got=$(gpg --show-keys --with-colons "$dest.download" | awk -F: '$1 == "fpr" { print $10; exit }')
  if [[ $got != "$fingerprint" ]]; then
    rm -f "$dest.download"
    die "the key at $url has the fingerprint ${got:-(none)}, not $fingerprint"
  fi
  mv -f "$dest.download" "$dest"
}

# A secret (the join token, the certificate key) comes from the environment, which only
# root can read of a root process (automation passes it there), or, in a terminal, is asked
# for without echo: never a command-line argument, which lands in shell history and in the
# process list every user sees. Neither secret is handed on to the programs this script
# runs, whether the script needs it or not.
export -n KUBEPLAN_JOIN_TOKEN KUBEPLAN_CERTIFICATE_KEY
read_secret() {
  local name=$1 what=$2
  if [[ -z ${!name:-} ]]; then
    [[ -t 0 ]] || die "set $name to $what (or run this script in a terminal to be asked for it)"
    IFS= read -rs -p "$name ($what): " "${name?}" || true
    printf '\n' >&2
    [[ -n ${!name:-} ]] || die "no $name given"
  fi
}
# kubeadm takes the secrets from a configuration file, not from flags: kubeadm refuses most
# flags beside --config (cmd/kubeadm/app/apis/kubeadm/validation/validation.go,
# ValidateMixedArguments, isAllowedFlag). write_secret_file FILE LINE... writes the lines
# to FILE on tmpfs, in a folder only root can enter, mode 0600 from the start, with the
# printf builtin: no heredoc (bash before 5.1 spools one to a file in $TMPDIR) and no
# program's command line holds a secret. The file goes when the script ends, whether
# kubeadm succeeded or not: bash runs the EXIT trap on exit, on an error under set -e, and
# on SIGINT, SIGTERM and SIGHUP.
secret_files=()
trap 'rm -f -- "${secret_files[@]}"' EXIT
write_secret_file() {
  local file=$1
  shift
  install -d -m 0700 "${file%/*}"
  secret_files+=("$file")
  rm -f -- "$file"
  (
    umask 077
    printf '%s\n' "$@" >"$file"
  )
}

# --- preflight ----------------------------------------------------------------
[[ $(id -u) -eq 0 ]] || die "run as root"
read_secret KUBEPLAN_JOIN_TOKEN "the cluster bootstrap token; make one with: kubeadm token generate"
[[ $KUBEPLAN_JOIN_TOKEN =~ ^[a-z0-9]{6}\.[a-z0-9]{16}$ ]] ||
  die "KUBEPLAN_JOIN_TOKEN is not a bootstrap token of the form [a-z0-9]{6}.[a-z0-9]{16}"
{%- if certificate_key %}
read_secret KUBEPLAN_CERTIFICATE_KEY "the key the first control-plane node uploads the cluster certificates with; make one with: kubeadm certs certificate-key"
[[ $KUBEPLAN_CERTIFICATE_KEY =~ ^[0-9a-f]{64}$ ]] ||
  die "KUBEPLAN_CERTIFICATE_KEY is not 64 lowercase hex digits"
{%- endif %}
# shellcheck disable=SC1091
. /etc/os-release
[[ ${ID:-} == "$DISTRO_ID" && ${VERSION_ID:-} == "$DISTRO_MAJOR"* ]] ||
  die "this script is for $DISTRO; the machine runs ${ID:-unknown} ${VERSION_ID:-}"
ip -4 -o addr show dev "$NODE_INTERFACE" 2>/dev/null | grep -qF " $NODE_ADDRESS/" ||
  die "interface $NODE_INTERFACE does not hold $NODE_ADDRESS"
# The spec's resources, at least Rancher's minimums (seed 001): 2 CPUs, 5 GB of memory,
# 50 GB of disk; memory and disk with 10% slack for what firmware and the kernel keep.
cpus=$(nproc)
((cpus >= {{ node.resources.cpus }})) || die "needs at least {{ node.resources.cpus }} CPUs, has $cpus"
mem_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
((mem_kib >= {{ node.resources.memory_min_kib }})) || die "needs {{ node.resources.memory_gb }} GB of memory, has $((mem_kib / 1024)) MiB"
disk_kib=$(df --output=size -k /var/lib | tail -n 1 | tr -d ' ')
((disk_kib >= {{ node.resources.disk_min_kib }})) || die "needs {{ node.resources.disk_gb }} GB of disk under /var/lib, has $((disk_kib / 1048576)) GiB"
# A node that has joined keeps its Kubernetes version: installing another kubelet here
# would leave it newer than the API server, which the version skew policy forbids
# (kubernetes.io/releases/version-skew-policy), and kubeadm would not run again. kubeplan
# does not upgrade nodes yet; this run changes nothing.
if [[ -f /etc/kubernetes/kubelet.conf ]] && command -v kubelet >/dev/null; then
  joined_version=$(kubelet --version | awk '{ print $2 }')
  [[ $joined_version == "v$KUBE_VERSION" ]] ||
    die "this node joined at Kubernetes ${joined_version:-unknown}; this script is for v$KUBE_VERSION and does not upgrade a joined node; nothing was changed"
fi

# --- kernel settings for pod networking ------------------------------------------
log "kernel modules and sysctls"
printf '%s\n' overlay br_netfilter >/etc/modules-load.d/kubeplan.conf
modprobe overlay
modprobe br_netfilter
cat >/etc/sysctl.d/99-kubeplan.conf <<'SYSCTL'
net.bridge.bridge-nf-call-iptables = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.ipv4.ip_forward = 1
SYSCTL
sysctl --system >/dev/null
log "swap off: the kubelet does not start with swap on"
swapoff -a
sed -i '/^[^#].*[[:space:]]swap[[:space:]]/ s/^/#/' /etc/fstab

# --- firewalld, where it runs (RHEL-family and SLES enable it by default) --------------
# kubeadm's preflight only warns about an active firewalld (FirewalldCheck in
# cmd/kubeadm/app/preflight/checks.go); the ports stay closed unless opened here. The
# ports are kubernetes.io's "Ports and Protocols" for this node's roles and the network's
# tunnel; the cluster's pod network is trusted, so pod traffic to and through this node passes.
if command -v firewall-cmd >/dev/null && firewall-cmd --state >/dev/null 2>&1; then
  log "firewalld: opening the ports of this node's roles and network"
{%- for p in node.firewall_ports %}
  firewall-cmd --permanent --add-port={{ p.port | sh }} >/dev/null # {{ p.what }}
{%- endfor %}
  firewall-cmd --permanent --zone=trusted --add-source={{ cluster.cluster_cidr | sh }} >/dev/null
  firewall-cmd --reload >/dev/null
fi

# --- container runtime and Kubernetes packages --------------------------------------
{% if node.linux.package_manager == "apt" -%}
export DEBIAN_FRONTEND=noninteractive
log "{% if cluster.docker %}Docker Engine{% else %}containerd{% endif %} from the distribution"
apt-get update -q
# conntrack: kubeadm's preflight requires it below Kubernetes 1.32 (checks_linux.go,
# addExecChecks), and newer kubelet packages no longer depend on it (kubernetes/release).
apt-get install -y -q {% if cluster.docker %}docker.io{% else %}containerd{% endif %} ethtool conntrack curl gpg ca-certificates apt-transport-https
log "kubelet, kubeadm and kubectl $KUBE_VERSION from the Kubernetes package repository"
install -d -m 0755 /etc/apt/keyrings
{%- set d = cluster.downloads["kubernetes-deb-key"] %}
fetch_key /etc/apt/keyrings/kubernetes-apt-keyring.asc {{ d.url | sh }} {{ d.fingerprint | sh }}
gpg --dearmor --yes -o /etc/apt/keyrings/kubernetes-apt-keyring.gpg /etc/apt/keyrings/kubernetes-apt-keyring.asc
echo {{ ("deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] " ~ cluster.downloads["kubernetes-deb-repo"].url ~ " /") | sh }} \
  >/etc/apt/sources.list.d/kubernetes.list
apt-get update -q
apt-get install -y -q --allow-downgrades --allow-change-held-packages \
  "kubelet=${KUBE_VERSION}-*" "kubeadm=${KUBE_VERSION}-*" "kubectl=${KUBE_VERSION}-*"
apt-mark hold kubelet kubeadm kubectl >/dev/null
kubelet_defaults=/etc/default/kubelet
{%- else -%}
{% if node.linux.package_manager == "dnf" -%}
log "SELinux permissive, as kubeadm requires"
setenforce 0 2>/dev/null || true
sed -i 's/^SELINUX=enforcing$/SELINUX=permissive/' /etc/selinux/config
log "{% if cluster.docker %}Docker Engine{% else %}containerd.io{% endif %} from Docker's repository"
# conntrack-tools: kubeadm's preflight requires conntrack below Kubernetes 1.32.
dnf install -y ethtool conntrack-tools curl
# Docker's repository as its docker-ce.repo defines docker-ce-stable (docs.docker.com,
# "Install Docker Engine on CentOS"), with its key checked by fingerprint first.
{%- set d = cluster.downloads["docker-rpm-key"] %}
install -d -m 0755 /etc/pki/rpm-gpg
fetch_key /etc/pki/rpm-gpg/docker-ce.gpg {{ d.url | sh }} {{ d.fingerprint | sh }}
cat >/etc/yum.repos.d/docker-ce.repo <<'REPO'
[docker-ce-stable]
name=Docker CE Stable - $basearch
baseurl={{ cluster.downloads["docker-rpm-repo"].url }}
enabled=1
gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/docker-ce.gpg
REPO
dnf install -y {% if cluster.docker %}docker-ce docker-ce-cli {% endif %}containerd.io
repo_file=/etc/yum.repos.d/kubernetes.repo
{%- else -%}
log "{% if cluster.docker %}Docker Engine{% else %}containerd{% endif %} from the distribution"
# conntrack-tools: kubeadm's preflight requires conntrack below Kubernetes 1.32.
zypper --non-interactive install {% if cluster.docker %}docker{% else %}containerd{% endif %} ethtool conntrack-tools curl
repo_file=/etc/zypp/repos.d/kubernetes.repo
{%- endif %}
log "kubelet, kubeadm and kubectl $KUBE_VERSION from the Kubernetes package repository"
{%- set d = cluster.downloads["kubernetes-rpm-key"] %}
install -d -m 0755 /etc/pki/rpm-gpg
fetch_key /etc/pki/rpm-gpg/kubernetes.key {{ d.url | sh }} {{ d.fingerprint | sh }}
rpm --import /etc/pki/rpm-gpg/kubernetes.key
cat >"$repo_file" <<'REPO'
[kubernetes]
name=Kubernetes
baseurl={{ cluster.downloads["kubernetes-rpm-repo"].url }}
enabled=1
gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/kubernetes.key
{%- if node.linux.package_manager == "dnf" %}
exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni
{%- endif %}
REPO
{% if node.linux.package_manager == "dnf" -%}
# The repository excludes the Kubernetes packages, so a later `dnf upgrade` leaves them at
# this version (apt-mark hold on Debian); this install lifts the exclusion (kubernetes.io,
# "Installing kubeadm", Red Hat-based distributions).
dnf install -y --disableexcludes=kubernetes "kubelet-${KUBE_VERSION}" "kubeadm-${KUBE_VERSION}" "kubectl-${KUBE_VERSION}"
{%- else -%}
zypper --non-interactive install \
  "kubelet-${KUBE_VERSION}" "kubeadm-${KUBE_VERSION}" "kubectl-${KUBE_VERSION}"
{%- endif %}
kubelet_defaults=/etc/sysconfig/kubelet
{%- endif %}
{% if cluster.docker -%}
log "Docker Engine with the systemd cgroup driver"
new=$(mktemp)
cat >"$new" <<'JSON'
{ "exec-opts": ["native.cgroupdriver=systemd"] }
JSON
# Restarting Docker stops every container on the node: only for a changed daemon.json.
if replace_file "$new" /etc/docker/daemon.json; then
  systemctl restart docker
fi
systemctl enable --now docker
cri_dockerd_changed=false
# Kubernetes 1.24 removed dockershim: the kubelet talks to Docker through cri-dockerd.
CRI_DOCKERD_VERSION={{ cluster.versions.cri_dockerd | sh(quoted=true) }}
if [[ $(/usr/local/bin/cri-dockerd --version 2>&1) != *"$CRI_DOCKERD_VERSION"* ]]; then
  log "cri-dockerd $CRI_DOCKERD_VERSION"
  tmp=$(mktemp -d)
  {%- set d = cluster.downloads["cri-dockerd-linux"] %}
  fetch_verified "$tmp/cri-dockerd.tgz" {% include "linux/_download.sh" %}
  tar -xzf "$tmp/cri-dockerd.tgz" -C "$tmp"
  install -m 0755 "$tmp/cri-dockerd/cri-dockerd" /usr/local/bin/cri-dockerd
  rm -rf "$tmp"
  cri_dockerd_changed=true
fi
for unit in cri-docker.service cri-docker.socket; do
  new=$(mktemp)
  cp "./$unit" "$new"
  if replace_file "$new" "/etc/systemd/system/$unit"; then
    cri_dockerd_changed=true
  fi
done
systemctl daemon-reload
systemctl enable --now cri-docker.socket
if $cri_dockerd_changed; then
  systemctl restart cri-docker.service
fi
systemctl enable --now cri-docker.service
{%- else -%}
log "containerd with the systemd cgroup driver"
new=$(mktemp)
containerd config default >"$new"
if grep -q 'SystemdCgroup = ' "$new"; then
  sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' "$new"
else
  # containerd 2.0.0-2.0.6 and 2.1.0-2.1.4 print no SystemdCgroup line at all (containerd
  # commit 56cde7d2c brought it back): add it to runc's options table.
  sed -i '/\.runtimes\.runc\.options\]$/a SystemdCgroup = true' "$new"
fi
grep -q '^ *SystemdCgroup = true$' "$new" || die "could not set SystemdCgroup = true in containerd's runc options"
# The pod sandbox image kubeplan pins, the one kubeadm's images and the Windows nodes use
# too: containerd 1.x names it sandbox_image in the CRI plugin, 2.x sandbox under
# pinned_images (containerd docs/cri/config.md).
sed -i -E "s#^([[:space:]]*(sandbox_image|sandbox) = ).*#\1\"$PAUSE_IMAGE\"#" "$new"
grep -qF "= \"$PAUSE_IMAGE\"" "$new" || die "could not set containerd's sandbox image to $PAUSE_IMAGE"
if replace_file "$new" /etc/containerd/config.toml; then
  systemctl restart containerd
fi
systemctl enable --now containerd
{%- endif %}
echo "KUBELET_EXTRA_ARGS=--node-ip=${NODE_ADDRESS}${NODE_LABELS:+ --node-labels=$NODE_LABELS}${NODE_TAINTS:+ --register-with-taints=$NODE_TAINTS}" >"$kubelet_defaults"
systemctl enable kubelet
{%- set part = "packages" %}{% include "linux/network.sh" %}
{% if node.vmxnet3_unit %}
# --- vSphere: vmxnet3 hardware offload off at every boot (seed 001) ---------------
# The vmxnet3 offload bug drops overlay packets between nodes; the setting does not
# survive a reboot, so a unit turns it off at each boot.
log "disable_hw_offloading.service for $NODE_INTERFACE"
install -m 0644 "./disable_hw_offloading.service" /etc/systemd/system/disable_hw_offloading.service
systemctl daemon-reload
systemctl enable --now disable_hw_offloading.service
{% endif -%}
{% set part = "cni_config" %}{% include "linux/network.sh" -%}
