# Shaped like start-flanneld.ps1: native programs' stderr redirected while 'Stop' is in effect.
$ErrorActionPreference = 'Stop'
$KubeDir = 'C:\k'
# flanneld logs to stderr: its first line ends the script (PowerShell/PowerShell#3996).
& (Join-Path $KubeDir 'flanneld.exe') '--ip-masq=1' 2>&1 | Out-File -Append -FilePath 'C:\var\log\flanneld.log'
# Discarding stderr is a redirection too (PowerShell/PowerShell#4002).
$env:Path = "C:\Program Files\docker;$env:Path"
& docker network inspect external *> $null
# A program run by a path from a variable, stderr to a file.
$nodes = & "$KubeDir\kubectl.exe" get node 2> 'C:\var\log\kubectl.err'
# A preference set in a function ends with the function.
function Set-Quiet { $ErrorActionPreference = 'Continue' }
Set-Quiet
# ... so this runs under 'Stop'.
tar.exe -xzf 'C:\k\cni.tgz' -C 'C:\opt\cni\bin' 2>$null
# A call of a function redirected: every native call in it is.
function Invoke-Tool([string] $FilePath) {
    & $FilePath --version
}
Invoke-Tool 'C:\k\kubelet.exe' 2>&1 | Out-Null
$ErrorActionPreference = 'Continue'
sc.exe query kubelet 2>&1 | Out-Null
$ErrorActionPreference = 'Stop'
sc.exe query kubelet 2>&1 | Out-Null
