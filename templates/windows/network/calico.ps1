{# Calico on a Windows node: calico-node (a HostProcess pod) writes the CNI config and
   creates the Calico HNS network after the join. Included by windows/bootstrap.ps1 as
   windows/network.ps1, once per part. -#}
{%- if part == "address_check" %}
if (-not $ip -or ($ip.InterfaceAlias -ne $InterfaceName -and $ip.InterfaceAlias -ne "vEthernet ($InterfaceName)")) {
{%- elif part == "features" %}
$features = 'Containers'
{%- elif part == "cni_config" %}
# calico-node (a HostProcess pod of the Tigera operator) writes the CNI config and creates
# the Calico HNS network once the node has joined.
{%- elif part == "hns_network" %}
{#- calico-node creates the Calico HNS network once the node has joined (below). #}
{%- elif part == "wait" %}
Write-Step "waiting for calico-node to create the HNS network $HnsNetworkName"
$deadline = (Get-Date).AddMinutes(10)
while (-not (Get-HnsNetwork | Where-Object { $_.Name -eq $HnsNetworkName })) {
    if ((Get-Date) -gt $deadline) {
        throw "calico-node did not create $HnsNetworkName within 10 minutes; see: kubectl -n calico-system logs -l k8s-app=calico-node-windows"
    }
    Start-Sleep -Seconds 5
}
{%- elif part == "source_vip" %}
# Overlay kube-proxy needs a source VIP from this node's pod addresses (kubernetes #78338):
# Calico's host endpoint on its VXLAN network holds one.
$calicoEndpoint = Get-HnsEndpoint | Where-Object { $_.Name -eq 'Calico_ep' } | Select-Object -First 1
if (-not $calicoEndpoint) { throw "calico-node has not created the host endpoint Calico_ep yet; run this script again in a minute" }
$proxyArgs += "--source-vip=$($calicoEndpoint.IPAddress)"
{%- elif part in ["joins", "pod_variables", "variables", "versions", "functions", "binaries", "agent", "cni_plugin"] %}
{%- else %}
{{ error(message="windows/network/calico.ps1 has no part named " ~ part) }}
{%- endif -%}
