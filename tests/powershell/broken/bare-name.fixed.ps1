# bare-name.ps1 fixed: each folder put on the session's PATH (and the machine's) first.
$ErrorActionPreference = 'Stop'
$KubeDir = 'C:\k'
function Add-ToPath([string] $Folder) {
    $machine = [Environment]::GetEnvironmentVariable('Path', 'Machine')
    if (($machine -split ';') -notcontains $Folder) {
        [Environment]::SetEnvironmentVariable('Path', "$machine;$Folder", 'Machine')
    }
    if (($env:Path -split ';') -notcontains $Folder) {
        $env:Path = "$env:Path;$Folder"
    }
}
sc.exe query docker | Out-Null
if (-not (Get-Service -Name ovs-vswitchd -ErrorAction SilentlyContinue)) {
    $msi = Join-Path $env:TEMP 'openvswitch.msi'
    Start-Process -FilePath msiexec.exe -Wait -ArgumentList '/i', $msi, '/qn'
}
# The MSI put its folder on the machine's Path: this session takes it from there.
foreach ($folder in [Environment]::GetEnvironmentVariable('Path', 'Machine') -split ';') {
    if ($folder) {
        Add-ToPath $folder
    }
}
Expand-Archive -Path 'C:\docker.zip' -DestinationPath $env:ProgramFiles
Add-ToPath (Join-Path $env:ProgramFiles 'docker')
docker network ls
ovs-vsctl --no-wait --may-exist add-br br-ex
Add-ToPath $KubeDir
& (Join-Path $KubeDir 'kubeadm.exe') join 10.0.0.1:6443 --token abcdef.0123456789abcdef
$env:Path += ';C:\Program Files\nssm'
nssm install kubelet 'C:\k\kubelet.exe'
