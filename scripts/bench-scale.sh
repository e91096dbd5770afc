#!/usr/bin/env bash
# Times whole kubeplan processes on benches/scale.hcl at 50, 500 and 5,000 nodes (3
# control-plane, 10% Linux workers, the rest Windows; flannel host-gw), next to two
# references: the I/O floor (`cp -r` of the same out tree into a fresh folder) and a peer,
# Ansible's `template` module rendering the same node files for a 200-node inventory
# (connection: local, ansible-core from PyPI in a throwaway venv). Prints one table; with
# --update-docs it also writes the table into docs/performance.md.
#
#   bash scripts/bench-scale.sh [--update-docs]
#   SIZES="500 5000" RUNS=5 PEER_RUNS=5 PEER_NODES=200 bash scripts/bench-scale.sh
#
# Every figure is the median of RUNS (PEER_RUNS) runs of /usr/bin/time -v: wall seconds
# (taken around it with the shell's microsecond clock), peak RSS, and bytes written
# (its "File system outputs", 512-byte blocks the process dirtied). Work goes to
# target/bench-scale/; nothing is deleted while timing (deleting 100,000 files keeps
# the disk busy for seconds afterwards), each run waits for a quiet disk, and the
# machine should be left alone meanwhile.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

update_docs=false
[[ ${1:-} == --update-docs ]] && update_docs=true
read -r -a sizes <<<"${SIZES:-50 500 5000}"
runs=${RUNS:-5}
peer_runs=${PEER_RUNS:-5}
peer_nodes=${PEER_NODES:-200}
ansible_core=${ANSIBLE_CORE:-ansible-core==2.19.14}

for tool in /usr/bin/time:time /usr/bin/bc:bc; do
  [[ -x ${tool%%:*} ]] || {
    echo "bench-scale: ${tool%%:*} is missing; install it with: apt-get install -y ${tool#*:}" >&2
    exit 1
  }
done

work=$PWD/target/bench-scale
# An earlier run's trees are moved aside and deleted only after the measurements.
old=
if [[ -e $work ]]; then
  old="$work.old.$$"
  mv "$work" "$old"
fi
mkdir -p "$work"
cargo build --release --locked -q --bin kubeplan --example bench-contexts
bin=$PWD/target/release/kubeplan
contexts=$PWD/target/release/examples/bench-contexts

# The variables that make benches/scale.hcl a cluster of $1 nodes.
vars() {
  local n=$1 linux=$(($1 / 10))
  echo "--var linux_workers=$linux --var windows_workers=$((n - 3 - linux - 1))"
}

# The disk $work is on, as /proc/diskstats names it (empty when it is not there).
disk=$(basename "$(df --output=source "$work" | tail -1)")
grep -qw "$disk" /proc/diskstats || disk=

# settle: waits (up to a minute) until the disk is busy less than 5% of a second: after
# a large delete, ext4 with online discard keeps it busy for many seconds.
settle() {
  [[ -n $disk ]] || return 0
  local busy before after
  for _ in $(seq 60); do
    before=$(awk -v d="$disk" '$3 == d {print $13}' /proc/diskstats)
    sleep 1
    after=$(awk -v d="$disk" '$3 == d {print $13}' /proc/diskstats)
    busy=$((after - before))
    ((busy < 50)) && return 0
  done
  echo "bench-scale: the disk is still busy (${busy} ms of the last second); timing anyway" >&2
}

# measure NAME CMD...: runs CMD under /usr/bin/time -v, once the disk is quiet; appends
# "wall rss_kb bytes" to $work/times.NAME. The exit status of CMD is left in $status.
measure() {
  local name=$1
  shift
  local report="$work/time.txt" start end
  sync
  settle
  start=$EPOCHREALTIME
  set +e
  /usr/bin/time -v -o "$report" "$@" >"$work/last.out" 2>"$work/last.err"
  status=$?
  set -e
  end=$EPOCHREALTIME
  local rss blocks
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$report")
  blocks=$(awk -F': ' '/File system outputs/ {print $2}' "$report")
  echo "$(echo "$end - $start" | bc -l) $rss $((blocks * 512))" >>"$work/times.$name"
}

# must STATUS: fails the benchmark when the last command did not exit with STATUS.
must() {
  if [[ $status -ne $1 ]]; then
    echo "bench-scale: expected exit $1, got $status:" >&2
    cat "$work/last.out" "$work/last.err" >&2
    exit 1
  fi
}

# median NAME COLUMN: the median of a column of $work/NAME.
median() {
  awk -v c="$2" '{print $c}' "$work/times.$1" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}

for n in "${sizes[@]}"; do
  # shellcheck disable=SC2046 # word splitting of vars is intended
  set -- $(vars "$n")
  for i in $(seq "$runs"); do
    dir="$work/$n/apply-$i"
    mkdir -p "$dir"
    cp benches/scale.hcl "$dir/"
    measure "$n.apply" "$bin" apply --auto-approve "$@" "$dir"
    must 0
  done
  applied="$work/$n/apply-1"
  for i in $(seq "$runs"); do
    measure "$n.floor" cp -r "$applied/out" "$work/$n/cp-$i"
    must 0
  done
  for i in $(seq "$runs"); do
    measure "$n.noop" "$bin" plan --detailed-exitcode "$@" "$applied"
    must 0
  done
  for i in $(seq "$runs"); do
    measure "$n.one" "$bin" plan --detailed-exitcode "$@" --var edge_label=b "$applied"
    must 2
  done
  # The one-node plan lists only win-edge's files and the tables of every node, after
  # its per-node summary, which names win-edge alone.
  nodes=$(sed '/^kubeplan will perform/,$d' "$work/last.out" | grep -E '^  [-+~]' || true)
  if [[ $nodes != "  ~ win-edge: update in place"* || $(wc -l <<<"$nodes") -ne 1 ]]; then
    echo "bench-scale: the plan after changing win-edge at $n nodes says of the nodes:" >&2
    echo "$nodes" >&2
    exit 1
  fi
  listed=$(sed -n '/^kubeplan will perform/,$p' "$work/last.out" | grep -E '^  [-+~*] ' | awk '{print $2}')
  others=$(grep -vE '^(win-edge/|_cluster/|runbook\.md$)' <<<"$listed" || true)
  if [[ -n $others ]]; then
    echo "bench-scale: the plan after changing win-edge at $n nodes lists other files:" >&2
    echo "$others" >&2
    exit 1
  fi
  echo "$listed" | wc -l >"$work/$n.one.listed"
done

# The peer: Ansible renders the node files of a $peer_nodes-node cluster.
venv="$work/venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "$ansible_core"
peer="$work/peer"
mkdir -p "$peer/kubeplan"
cp benches/scale.hcl "$peer/kubeplan/"
# shellcheck disable=SC2046
"$bin" apply --auto-approve $(vars "$peer_nodes") "$peer/kubeplan" >/dev/null
linux=$((peer_nodes / 10))
"$contexts" benches "linux_workers=$linux" "windows_workers=$((peer_nodes - 3 - linux - 1))" \
  >"$peer/contexts.json"
for i in $(seq "$peer_runs"); do
  project="$peer/project-$i"
  "$venv/bin/python" benches/peer/ansible.py "$peer/contexts.json" templates \
    "$peer/out-$i" "$project"
  measure peer env ANSIBLE_CONFIG="$project/ansible.cfg" "$venv/bin/ansible-playbook" \
    -i "$project/inventory.ini" "$project/playbook.yml"
  must 0
done
peer_files=0
peer_same=0
while IFS= read -r f; do
  peer_files=$((peer_files + 1))
  cmp -s "$peer/out-1/$f" "$peer/kubeplan/out/$f" && peer_same=$((peer_same + 1))
done < <(cd "$peer/out-1" && find . -type f | sed 's|^\./||')
if [[ $peer_same -ne $peer_files || $peer_files -eq 0 ]]; then
  echo "bench-scale: Ansible wrote $peer_files files, $peer_same identical to kubeplan's" >&2
  exit 1
fi
peer_wall=$(median peer 1)
peer_per_node=$(echo "$peer_wall / $peer_nodes" | bc -l)

# The table.
row() { # SIZE STAGE NAME
  local n=$1 stage=$2 name=$3 wall rss bytes floor
  wall=$(median "$name" 1)
  rss=$(median "$name" 2)
  bytes=$(median "$name" 3)
  floor=$(median "$n.floor" 1)
  printf '| %s | %s | %.3f | %.1f MB | %.1f MB | %.2f | %s |\n' "$n" "$stage" "$wall" \
    "$(echo "$rss / 1024" | bc -l)" "$(echo "$bytes / 1000000" | bc -l)" \
    "$(echo "$wall / $floor" | bc -l)" \
    "$(printf '%.0f× faster' "$(echo "$peer_per_node / ($wall / $n)" | bc -l)")"
}
table="$work/table.md"
{
  echo "| nodes | stage | wall s (median of $runs) | peak RSS | written | × cp floor | per node vs Ansible |"
  echo "|---|---|---|---|---|---|---|"
  for n in "${sizes[@]}"; do
    row "$n" "apply, empty state" "$n.apply"
    row "$n" "plan, no change" "$n.noop"
    row "$n" "plan, win-edge changed (files listed: $(cat "$work/$n.one.listed"))" "$n.one"
    row "$n" "cp -r of the out tree (floor)" "$n.floor"
  done
  printf '| %s | %s | %.3f | %.1f MB | %.1f MB | – | 1× (%.3f s per node) |\n' "$peer_nodes" \
    "Ansible template, $peer_runs runs, $peer_same/$peer_files files identical to kubeplan's" \
    "$peer_wall" "$(echo "$(median peer 2) / 1024" | bc -l)" \
    "$(echo "$(median peer 3) / 1000000" | bc -l)" "$peer_per_node"
} >"$table"
if [[ " ${sizes[*]} " == *" 500 "* && " ${sizes[*]} " == *" 5000 "* ]]; then
  printf '\nCold apply, wall(5000) / wall(500): %.2f\n' \
    "$(echo "$(median 5000.apply 1) / $(median 500.apply 1)" | bc -l)" >>"$table"
fi
machine="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB, $(df -T "$work" | awk 'NR==2 {print $2}') on $(uname -r); kubeplan $(git rev-parse --short HEAD), $("$venv/bin/ansible" --version | head -1 | tr -d '[]')"
echo "Machine: $machine" >>"$table"
cat "$table"

if [[ -n $old ]]; then
  rm -rf "$old"
fi

if $update_docs; then
  doc=docs/performance.md
  awk -v table="$table" '
    /<!-- bench-scale:begin -->/ {print; while ((getline line < table) > 0) print line; skip=1; next}
    /<!-- bench-scale:end -->/ {skip=0}
    !skip {print}' "$doc" >"$doc.new"
  mv "$doc.new" "$doc"
  echo "bench-scale: wrote the table into $doc"
fi
