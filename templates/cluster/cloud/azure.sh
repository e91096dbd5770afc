{# Azure in cloud-network.sh: a route table on the nodes' subnet with a route per node, IP
   forwarding on every NIC. Included by cluster/cloud-network.sh as cluster/cloud.sh, once
   per part. -#}
{%- if part == "cli" %}Azure CLI (az){% elif part == "account" %}subscription{% elif part == "about" %}
#
# Azure nodes sit on a routed network: each node's NIC needs IP forwarding, and a route
# table on the nodes' subnet routes each node's pod subnet to the node (seeds 000 and 001).
{%- elif part == "commands" %}

command -v az >/dev/null || die "the Azure CLI is not installed (https://aka.ms/azure-cli)"
RESOURCE_GROUP={{ cluster.cloud.resource_group | sh(quoted=true) }}
VIRTUAL_NETWORK={{ cluster.cloud.virtual_network | sh(quoted=true) }}
SUBNET={{ cluster.cloud.subnet | sh(quoted=true) }}
ROUTE_TABLE={{ cluster.cloud.route_table | sh(quoted=true) }}

if ! az network route-table show --resource-group "$RESOURCE_GROUP" --name "$ROUTE_TABLE" >/dev/null 2>&1; then
  echo "kubeplan: creating route table $ROUTE_TABLE"
  az network route-table create --resource-group "$RESOURCE_GROUP" --name "$ROUTE_TABLE" --output none
fi
az network vnet subnet update --resource-group "$RESOURCE_GROUP" --vnet-name "$VIRTUAL_NETWORK" \
  --name "$SUBNET" --route-table "$ROUTE_TABLE" --output none

# NODE VM: IP forwarding on the VM's first NIC.
ip_forwarding() {
  local node=$1 vm=$2 nic
  nic=$(az vm show --resource-group "$RESOURCE_GROUP" --name "$vm" \
    --query 'networkProfile.networkInterfaces[0].id' --output tsv)
  [[ -n $nic ]] || die "no NIC found for VM $vm of node $node"
  echo "kubeplan: $node ($vm): IP forwarding on"
  az network nic update --ids "$nic" --ip-forwarding true --output none
}

# NODE ADDRESS POD_CIDR: the node's pod subnet via the node.
pod_route() {
  local node=$1 address=$2 pod_cidr=$3
  echo "kubeplan: route $node: $pod_cidr via $address"
  az network route-table route create --resource-group "$RESOURCE_GROUP" --route-table-name "$ROUTE_TABLE" \
    --name "$node" --address-prefix "$pod_cidr" --next-hop-type VirtualAppliance \
    --next-hop-ip-address "$address" --output none
}

# NODE: the route of a node removed from the spec.
delete_route() {
  local node=$1
  az network route-table route delete --resource-group "$RESOURCE_GROUP" --route-table-name "$ROUTE_TABLE" \
    --name "$node" --output none
}

{% for r in routes -%}
ip_forwarding {{ r.node | sh }} {{ r.instance | sh }}
{% endfor -%}
{% for r in routes -%}
pod_route {{ r.route | sh }} {{ r.address | sh }} {{ r.pod_cidr | sh }}
{% endfor -%}
{% for g in gone -%}
delete_route {{ g.route | sh }}
{% endfor -%}
{%- else %}
{{ error(message="cluster/cloud/azure.sh has no part named " ~ part) }}
{%- endif -%}
