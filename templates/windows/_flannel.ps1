{# flanneld attaches its own network to this external vSwitch and does not create it. It
   does not always survive a reboot (moby/moby#38358, flannel-io/flannel#1272), so the boot
   path calls this before every start of flanneld. -#}
# Creates the HNS network 'External' unless it exists (lost after some reboots:
# moby/moby#38358); this drops the node's connection for a few seconds.
function Initialize-ExternalNetwork {
    if (Get-HnsNetwork | Where-Object { $_.Name -eq 'External' }) {
        return
    }
    Write-Host "kubeplan[$NodeName]: creating the External HNS network on $InterfaceName"
{%- if cluster.vxlan %}
    New-HNSNetwork -Type Overlay -AddressPrefix '192.168.255.0/30' -Gateway '192.168.255.1' -Name 'External' `
        -AdapterName $InterfaceName -SubnetPolicies @(@{ Type = 'VSID'; VSID = 9999 }) | Out-Null
{%- elif cluster.mode == "host-gw" %}
    New-HNSNetwork -Type L2Bridge -AddressPrefix '192.168.255.0/30' -Gateway '192.168.255.1' -Name 'External' `
        -AdapterName $InterfaceName | Out-Null
{%- else %}
{{ error(message="flannel runs in vxlan or host-gw mode only") }}
{%- endif %}
    Start-Sleep -Seconds 10
}

{# flanneld exits at once without a pod subnet ("pod cidr not assigned", flannel
   pkg/subnet/kube); in host-gw mode kubeplan's timer on the first control-plane node gives
   it one some seconds after the join. -#}
# This node's pod subnet as the API server has it, or '' before it has one.
function Get-PodCidr {
    $podCidr = & (Join-Path $KubeDir 'kubectl.exe') --kubeconfig $KubeletConf get node $NodeName `
        -o 'jsonpath={.spec.podCIDR}'
    if ($LASTEXITCODE -ne 0) {
        return ''
    }
    "$podCidr"
}