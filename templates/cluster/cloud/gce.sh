{# GCE in cloud-network.sh: IP forwarding checked on every VM, a static route per node's pod
   subnet. Included by cluster/cloud-network.sh as cluster/cloud.sh, once per part. -#}
{%- if part == "cli" %}Google Cloud CLI (gcloud){% elif part == "account" %}project or account{% elif part == "about" %}
#
# GCE nodes sit on a routed network: each node's pod subnet needs a static route to the
# node, and the node's VM needs IP forwarding (seeds 000 and 001).
{%- elif part == "commands" %}

command -v gcloud >/dev/null || die "the Google Cloud CLI is not installed (https://cloud.google.com/sdk)"
NETWORK={{ cluster.cloud.network | sh(quoted=true) }}

# NODE VM: GCE sets IP forwarding when a VM is created (--can-ip-forward).
check_ip_forward() {
  local node=$1 vm=$2 forward
  forward=$(gcloud compute instances list --filter="name=($vm)" --format='value(canIpForward)')
  [[ $forward == True ]] || die "VM $vm of node $node does not have IP forwarding on; create it with --can-ip-forward"
}

# NODE ADDRESS POD_CIDR ROUTE: the node's pod subnet via the node.
pod_route() {
  local node=$1 address=$2 pod_cidr=$3 route=$4
  if gcloud compute routes describe "$route" >/dev/null 2>&1; then
    echo "kubeplan: route $route exists"
  else
    echo "kubeplan: route $route: $pod_cidr via $address ($node)"
    gcloud compute routes create "$route" --network="$NETWORK" --destination-range="$pod_cidr" \
      --next-hop-address="$address" --description="kubeplan: pod subnet of node $node"
  fi
}

# ROUTE: the route of a node removed from the spec.
delete_route() {
  local route=$1
  if gcloud compute routes describe "$route" >/dev/null 2>&1; then
    echo "kubeplan: deleting route $route"
    gcloud compute routes delete "$route" --quiet
  fi
}

{% for r in routes -%}
check_ip_forward {{ r.node | sh }} {{ r.instance | sh }}
{% endfor -%}
{% for r in routes -%}
pod_route {{ r.node | sh }} {{ r.address | sh }} {{ r.pod_cidr | sh }} {{ r.route | sh }}
{% endfor -%}
{% for g in gone -%}
delete_route {{ g.route | sh }}
{% endfor -%}
{%- else %}
{{ error(message="cluster/cloud/gce.sh has no part named " ~ part) }}
{%- endif -%}
