{# OVN/OVS on a Windows node (seed 003): Open vSwitch with the OVN host, the transparent
   docker network under br-ex, ovn_cni.exe, and no kube-proxy. Included by
   windows/bootstrap.ps1 as windows/network.ps1, once per part. -#}
{%- if part == "pod_variables" %}
$PodCidr = {{ node.pod_cidr | ps }}
$PodGateway = {{ node.pod_gateway | ps }}
$PodHostEndpoint = {{ node.pod_host_endpoint | ps }}
{%- elif part == "variables" %}
$OvnCentral = {{ cluster.init_address | ps }}
{%- elif part == "address_check" %}
# After the first run the address sits on OVS's internal port HNSTransparent.
if (-not $ip -or ($ip.InterfaceAlias -ne $InterfaceName -and $ip.InterfaceAlias -ne 'HNSTransparent')) {
{%- elif part == "features" %}
# Open vSwitch's datapath is a Hyper-V switch extension: the Hyper-V role, and its
# PowerShell module for Disable-/Enable-VMSwitchExtension below.
$features = 'Containers', 'Hyper-V', 'Hyper-V-PowerShell'
{%- elif part == "cni_config" %}
Copy-Item -Force -Path (Join-Path $Here '10-ovn.json') -Destination (Join-Path $CniConfDir '10-ovn.json')
{%- set d = cluster.downloads["ovn_cni.exe"] %}
Save-VerifiedFile {% include "windows/_download.ps1" %} `
    -Path (Join-Path $CniBinDir 'ovn_cni.exe')
{%- elif part == "hns_network" %}
if (-not (Get-Service -Name ovs-vswitchd -ErrorAction SilentlyContinue)) {
    # Open vSwitch with the OVN host feature, unattended (seed 003).
    Write-Step 'installing Open vSwitch and the OVN host'
    $msi = Join-Path $env:TEMP 'openvswitch.msi'
    {%- set d = cluster.downloads["openvswitch-msi"] %}
    Save-VerifiedFile {% include "windows/_download.ps1" %} `
        -Path $msi
    $install = Start-Process -FilePath msiexec.exe -Wait -PassThru `
        -ArgumentList '/i', "`"$msi`"", 'ADDLOCAL="OpenvSwitchCLI,OpenvSwitchDriver,OVNHost"', '/qn'
    if ($install.ExitCode -ne 0) { throw "the Open vSwitch MSI failed with exit code $($install.ExitCode)" }
}
# The MSI puts its bin folder on the machine's PATH only (seed 003: "open a new command
# shell"); this session takes it from there.
foreach ($folder in [Environment]::GetEnvironmentVariable('Path', 'Machine') -split ';') {
    if ($folder) {
        Add-ToPath $folder
    }
}
# `docker network ls` answers with nothing, and exit code 0, when the network is missing;
# `docker network inspect` would fail on stderr. The name filter is a regular expression
# (moby api/types/filters, Args.Match), so ^NAME$ matches that network only.
$transparent = Invoke-Program 'docker' 'network', 'ls', '--quiet', '--filter', "name=^$HnsNetworkName$"
if (-not $transparent) {
    # OVS needs a transparent docker network on the node's pod subnet, then the br-ex
    # bridge over it and the physical interface (seed 003). This drops the node's
    # connection for a few seconds.
    Write-Step "creating the transparent docker network $HnsNetworkName on $PodCidr"
    Invoke-Program 'docker' 'network', 'create', '-d', 'transparent', '--gateway', $PodGateway, '--subnet', $PodCidr, `
        '-o', "com.docker.network.windowsshim.interface=$InterfaceName", $HnsNetworkName | Out-Null
    $adapter = Get-NetAdapter | Where-Object { $_.Name -match 'HNSTransparent' } | Select-Object -First 1
    Rename-NetAdapter -Name $adapter.Name -NewName 'HNSTransparent'
    Stop-Service -Name ovs-vswitchd -Force
    Disable-VMSwitchExtension -Name 'Cloudbase Open vSwitch Extension'
    Invoke-Program 'ovs-vsctl' '--no-wait', '--if-exists', 'del-br', 'br-ex'
    Invoke-Program 'ovs-vsctl' '--no-wait', '--may-exist', 'add-br', 'br-ex'
    Invoke-Program 'ovs-vsctl' '--no-wait', 'add-port', 'br-ex', 'HNSTransparent', '--', 'set', 'interface', 'HNSTransparent', 'type=internal'
    Invoke-Program 'ovs-vsctl' '--no-wait', 'add-port', 'br-ex', $InterfaceName
    Enable-VMSwitchExtension -Name 'Cloudbase Open vSwitch Extension'
    Start-Sleep -Seconds 2
    Restart-Service -Name ovs-vswitchd
    # Geneve adds its header inside the host MTU.
    Set-NetIPInterface -InterfaceAlias 'HNSTransparent' -NlMtuBytes 1430
}
# This node is an OVN chassis: OVN central on the first control-plane node, Geneve tunnels
# from the node's address.
Invoke-Program 'ovs-vsctl' 'set', 'Open_vSwitch', '.', "external_ids:ovn-remote=tcp:${OvnCentral}:6642", `
    "external_ids:ovn-nb=tcp:${OvnCentral}:6641", "external_ids:ovn-encap-ip=$NodeAddress", `
    'external_ids:ovn-encap-type=geneve', "external_ids:system-id=$NodeName"
Start-Service -Name ovn-controller
{%- elif part == "wait" %}
{#- ovn-controller and the l2bridge network above need no wait. #}
{%- elif part == "no_kube_proxy" -%}
# OVN balances services itself: with OVS and OVN only the kubelet runs here (seed 003).
{%- elif part in ["joins", "versions", "functions", "binaries", "agent", "cni_plugin"] %}
{%- else %}
{{ error(message="windows/network/ovn.ps1 has no part named " ~ part) }}
{%- endif -%}
