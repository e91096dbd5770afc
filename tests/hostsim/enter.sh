#!/usr/bin/env bash
# Runs one script inside the scratch root. tests/hostsim.rs starts it as
#   unshare --mount --pid --fork --net --uts --ipc bash enter.sh SCRATCH SIM CLUSTER DIR SCRIPT
# so every mount below exists only in this process's namespaces and disappears with it; the
# network namespace has no interface but lo, so nothing reaches the network.
# SCRATCH/root becomes /: the host's /usr (and /bin, /lib... where they are real
# directories) read-only, SCRATCH/usr-local over /usr/local, a private /dev and /proc, the
# simulator (SIM, read-only) at /hostsim/sim and the spec's cluster at /hostsim/cluster.
# /etc, /var, /run, /tmp, /opt and /root are plain directories of SCRATCH/root.
set -euo pipefail
scratch=$1 sim=$2 cluster=$3 dir=$4 script=$5
root=$scratch/root

mount --make-rprivate /
ro_bind() {
  mount --bind "$1" "$2"
  mount -o remount,bind,ro "$2"
}
ro_bind /usr "$root/usr"
mount --bind "$scratch/usr-local" "$root/usr/local"
for d in bin sbin lib lib32 lib64 libx32; do
  if [[ -d /$d && ! -L /$d ]]; then
    mkdir -p "$root/$d"
    ro_bind "/$d" "$root/$d"
  fi
done
mount -t tmpfs -o mode=0755 hostsim-dev "$root/dev"
for n in null zero full random urandom tty; do
  : >"$root/dev/$n"
  mount --bind "/dev/$n" "$root/dev/$n"
done
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mount -t proc proc "$root/proc"
# The machine's memory as the spec declares it (the preflight reads MemTotal).
mount --bind "$scratch/meminfo" "$root/proc/meminfo"
ro_bind "$sim" "$root/hostsim/sim"
mount --bind "$cluster" "$root/hostsim/cluster"
command -v hostname >/dev/null && hostname "$(sed -n 's/^HS_NODE=//p' "$root/hostsim/facts")"

env=()
while IFS= read -r line; do env+=("$line"); done <"$scratch/env"
exec chroot "$root" /usr/bin/env -i "${env[@]}" /hostsim/host/bash -c 'cd "$1" && exec "./$2"' hostsim "$dir" "$script"
