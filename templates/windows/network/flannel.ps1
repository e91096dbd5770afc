{# flannel on a Windows node (vxlan or host-gw): flanneld.exe and its CNI plugin, the
   External network flanneld attaches to, and the boot task that keeps flanneld running.
   Included by windows/bootstrap.ps1 as windows/network.ps1, once per part. -#}
{%- if part == "joins" %}, flanneld
{%- elif part == "versions" %}
$FlannelVersion = {{ cluster.versions.flannel | ps }}
$FlannelCniVersion = {{ cluster.versions.flannel_cni_plugin | ps }}
{%- elif part == "functions" %}

{% include "windows/_flannel.ps1" %}
{%- elif part == "address_check" %}
if (-not $ip -or ($ip.InterfaceAlias -ne $InterfaceName -and $ip.InterfaceAlias -ne "vEthernet ($InterfaceName)")) {
{%- elif part == "features" %}
$features = 'Containers'
{%- elif part == "binaries" %}
{%- set d = cluster.downloads["kubectl.exe"] %}
Save-VerifiedFile {% include "windows/_download.ps1" %} `
    -Path (Join-Path $KubeDir 'kubectl.exe')
{%- elif part == "agent" %}
{%- set d = cluster.downloads["flanneld.exe"] %}
Save-VerifiedFile {% include "windows/_download.ps1" %} `
    -Path (Join-Path $KubeDir 'flanneld.exe')
{%- elif part == "cni_plugin" %}
if (-not (Test-Path (Join-Path $CniBinDir 'flannel.exe'))) {
    $archive = Join-Path $env:TEMP "cni-plugin-flannel-$FlannelCniVersion.tgz"
    {%- set d = cluster.downloads["flannel-cni-windows"] %}
    Save-VerifiedFile {% include "windows/_download.ps1" %} `
        -Path $archive
    $unpacked = Join-Path $env:TEMP "cni-plugin-flannel-$FlannelCniVersion"
    New-Item -ItemType Directory -Force -Path $unpacked | Out-Null
    Invoke-Program 'tar.exe' '-xzf', $archive, '-C', $unpacked
    Copy-Item -Path (Get-ChildItem -Path $unpacked -Recurse -Filter 'flannel*.exe' | Select-Object -First 1).FullName `
        -Destination (Join-Path $CniBinDir 'flannel.exe')
}
{%- elif part == "cni_config" -%}

Copy-Item -Force -Path (Join-Path $Here '10-flannel.json') -Destination (Join-Path $CniConfDir '10-flannel.json')
Copy-Item -Force -Path (Join-Path $Here 'net-conf.json') -Destination 'C:\etc\kube-flannel\net-conf.json'
{%- elif part == "hns_network" %}
Initialize-ExternalNetwork
{%- elif part == "wait" -%}

# flanneld exits at once while the node has no pod subnet.
Write-Step 'waiting for the node to get its pod subnet'
$deadline = (Get-Date).AddMinutes(5)
while (-not ($podCidr = Get-PodCidr)) {
    if ((Get-Date) -gt $deadline) {
        throw "the node has no pod subnet (spec.podCIDR) after 5 minutes; check the controller manager{% if cluster.plans_pod_subnets %} and kubeplan-pod-cidrs.timer on the first control-plane node{% endif %}"
    }
    Start-Sleep -Seconds 5
}

# flanneld is not a Windows service: a boot task runs start-flanneld.ps1, which keeps it running.
Register-BootTask -Name 'flanneld' -Script 'start-flanneld.ps1'

Write-Step "waiting for flanneld to create the HNS network $HnsNetworkName"
$deadline = (Get-Date).AddMinutes(5)
while (-not (Get-HnsNetwork | Where-Object { $_.Name -eq $HnsNetworkName })) {
    if ((Get-Date) -gt $deadline) {
        throw "flanneld did not create $HnsNetworkName within 5 minutes; see C:\var\log\flanneld.log"
    }
    Start-Sleep -Seconds 5
}
{%- elif part == "source_vip" %}
{%- if cluster.vxlan %}
# Overlay kube-proxy needs a source VIP from this node's pod subnet (kubernetes #78338);
# host-local reserves it once and it is kept across runs.
$vipFile = Join-Path $KubeDir 'source-vip.json'
if (-not (Test-Path $vipFile)) {
    $ipam = @{
        cniVersion = '0.3.1'
        name       = $HnsNetworkName
        ipam       = @{ type = 'host-local'; ranges = @(, @(@{ subnet = $podCidr })); dataDir = 'C:\var\lib\cni\networks' }
    } | ConvertTo-Json -Depth 6
    $env:CNI_COMMAND = 'ADD'
    $env:CNI_CONTAINERID = 'kube-proxy-source-vip'
    $env:CNI_NETNS = 'none'
    $env:CNI_IFNAME = 'source-vip'
    $env:CNI_PATH = $CniBinDir
    $reserved = $ipam | & (Join-Path $CniBinDir 'host-local.exe')
    $code = $LASTEXITCODE
    Remove-Item -Path Env:\CNI_COMMAND, Env:\CNI_CONTAINERID, Env:\CNI_NETNS, Env:\CNI_IFNAME, Env:\CNI_PATH
    if ($code -ne 0) { throw "host-local could not reserve kube-proxy's source VIP in ${podCidr}: $reserved" }
    Set-Content -Path $vipFile -Value $reserved -Encoding Ascii
}
$sourceVip = ((Get-Content -Raw -Path $vipFile | ConvertFrom-Json).ips[0].address -split '/')[0]
$proxyArgs += "--source-vip=$sourceVip"
{%- elif cluster.mode == "host-gw" %}
{#- A bridged network: kube-proxy needs no source VIP. #}
{%- else %}
{{ error(message="flannel runs in vxlan or host-gw mode only") }}
{%- endif %}
{%- elif part in ["pod_variables", "variables"] %}
{%- else %}
{{ error(message="windows/network/flannel.ps1 has no part named " ~ part) }}
{%- endif -%}
