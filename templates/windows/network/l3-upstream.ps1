{# l3-upstream on a Windows node: the l2bridge HNS network on the node's pod subnet with the
   host endpoint, and its CNI config. Included by windows/bootstrap.ps1 as
   windows/network.ps1, once per part. -#}
{%- if part == "pod_variables" %}
$PodCidr = {{ node.pod_cidr | ps }}
$PodGateway = {{ node.pod_gateway | ps }}
$PodHostEndpoint = {{ node.pod_host_endpoint | ps }}
{%- elif part == "address_check" %}
if (-not $ip -or ($ip.InterfaceAlias -ne $InterfaceName -and $ip.InterfaceAlias -ne "vEthernet ($InterfaceName)")) {
{%- elif part == "features" %}
$features = 'Containers'
{%- elif part == "cni_config" %}
Copy-Item -Force -Path (Join-Path $Here '10-l2bridge.json') -Destination (Join-Path $CniConfDir '10-l2bridge.json')
{%- elif part == "hns_network" %}
if (-not (Get-HnsNetwork | Where-Object { $_.Name -eq $HnsNetworkName })) {
    # The node's own l2bridge network on its pod subnet; the router carries the routes
    # between nodes (seed 003). Creating it drops the node's connection for a few seconds.
    Write-Step "creating the l2bridge HNS network $HnsNetworkName on $PodCidr"
    New-HNSNetwork -Type L2Bridge -AddressPrefix $PodCidr -Gateway $PodGateway -Name $HnsNetworkName `
        -AdapterName $InterfaceName | Out-Null
    Start-Sleep -Seconds 10
}
$network = Get-HnsNetwork | Where-Object { $_.Name -eq $HnsNetworkName }
if (-not (Get-HnsEndpoint | Where-Object { $_.Name -eq 'cbr0_ep' })) {
    # The host's endpoint on the pod subnet: pods reach the node and the node reaches pods through it.
    $endpoint = New-HnsEndpoint -NetworkId $network.Id -Name 'cbr0_ep' -IPAddress $PodHostEndpoint -Gateway $PodGateway
    Attach-HnsHostEndpoint -EndpointID $endpoint.Id -CompartmentID 1
}
# Pods route everything through the host endpoint: the host forwards between it and the
# node's own interface (flannel pkg/backend/hostgw/hostgw_windows.go does the same).
Get-NetIPInterface -AddressFamily IPv4 | Where-Object { $_.InterfaceAlias -in "vEthernet (cbr0_ep)", "vEthernet ($InterfaceName)" } |
    Set-NetIPInterface -Forwarding Enabled
{%- elif part == "wait" %}
{#- ovn-controller and the l2bridge network above need no wait. #}
{%- elif part == "source_vip" %}
{#- A bridged network: kube-proxy needs no source VIP. #}
{%- elif part in ["joins", "variables", "versions", "functions", "binaries", "agent", "cni_plugin"] %}
{%- else %}
{{ error(message="windows/network/l3-upstream.ps1 has no part named " ~ part) }}
{%- endif -%}
