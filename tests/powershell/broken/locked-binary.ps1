# Shaped like bootstrap.ps1: the binaries of services and boot-task programs written while
# they may run (the script is run again, after a reboot or at a new version).
$ErrorActionPreference = 'Stop'
$KubeDir = 'C:\k'
# Downloads a file unless it is there with the published SHA-256.
function Save-VerifiedFile([string] $Uri, [string] $Path, [string] $ChecksumUri) {
    if ($ChecksumUri) {
        $expected = (Invoke-WebRequest -UseBasicParsing -Uri $ChecksumUri).Content
        if ((Test-Path $Path) -and (Get-FileHash -Path $Path).Hash -eq $expected) {
            return
        }
    } elseif (Test-Path $Path) {
        return
    }
    Invoke-WebRequest -UseBasicParsing -Uri $Uri -OutFile "$Path.download"
    Move-Item -Force -Path "$Path.download" -Destination $Path
}
# A new version's kubelet.exe and kube-proxy.exe are moved onto the running ones.
foreach ($binary in 'kubelet.exe', 'kubeadm.exe', 'kube-proxy.exe') {
    $uri = "https://dl.k8s.io/v1.31.0/bin/windows/amd64/$binary"
    Save-VerifiedFile -Uri $uri -Path (Join-Path $KubeDir $binary) -ChecksumUri "$uri.sha256"
}
# Stopped on one path only.
if ($env:KUBEPLAN_UPGRADE) { Stop-Process -Name flanneld -Force }
Copy-Item -Force -Path 'C:\new\flanneld.exe' -Destination (Join-Path $KubeDir 'flanneld.exe')
# Stopped, then started again before the write.
Stop-Service -Name kubelet
Start-Service -Name kubelet
Copy-Item -Force -Path 'C:\new\kubelet.exe' -Destination 'C:\k\kubelet.exe'
New-Service -Name 'kubelet' -BinaryPathName "$KubeDir\kubelet.exe --windows-service" | Out-Null
New-Service -Name 'kube-proxy' -BinaryPathName "$KubeDir\kube-proxy.exe --windows-service" | Out-Null
