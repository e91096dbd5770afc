# Shaped like bootstrap.ps1's OVN branch: programs installed in this run, called by name.
$ErrorActionPreference = 'Stop'
$KubeDir = 'C:\k'
# Programs in System32 are always found.
sc.exe query docker | Out-Null
$msi = Join-Path $env:TEMP 'openvswitch.msi'
Start-Process -FilePath msiexec.exe -Wait -ArgumentList '/i', $msi, '/qn'
# The MSI and SetEnvironmentVariable change the machine's Path, not this session's.
[Environment]::SetEnvironmentVariable('Path', "$env:Path;C:\Program Files\docker", 'Machine')
Expand-Archive -Path 'C:\docker.zip' -DestinationPath $env:ProgramFiles
# docker and ovs-vsctl are not on this session's PATH.
docker network ls
ovs-vsctl --no-wait --may-exist add-br br-ex
# kubeadm by full path still runs `kubelet --version` from PATH.
& (Join-Path $KubeDir 'kubeadm.exe') join 10.0.0.1:6443 --token abcdef.0123456789abcdef
# A program no table knows, with no folder put on PATH at all.
if ($true) {
    nssm install kubelet 'C:\k\kubelet.exe'
}
