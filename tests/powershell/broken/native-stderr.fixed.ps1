# native-stderr.ps1 fixed: each redirected native call runs in a scope of its own with
# $ErrorActionPreference = 'Continue', and checks $LASTEXITCODE.
$ErrorActionPreference = 'Stop'
$KubeDir = 'C:\k'
$exitCode = & {
    $ErrorActionPreference = 'Continue'
    & (Join-Path $KubeDir 'flanneld.exe') '--ip-masq=1' 2>&1 | Out-File -Append -FilePath 'C:\var\log\flanneld.log'
    $LASTEXITCODE
}
$env:Path = "C:\Program Files\docker;$env:Path"
# `docker network ls` prints nothing for a missing network: no stderr to redirect.
$networks = docker network ls --quiet --filter 'name=^external$'
function Invoke-Quiet([string] $FilePath, [string[]] $ArgumentList) {
    $ErrorActionPreference = 'Continue'
    & $FilePath @ArgumentList 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$FilePath failed with exit code $LASTEXITCODE" }
}
$nodes = Invoke-Quiet "$KubeDir\kubectl.exe" 'get', 'node'
$saved = $ErrorActionPreference
$ErrorActionPreference = 'SilentlyContinue'
tar.exe -xzf 'C:\k\cni.tgz' -C 'C:\opt\cni\bin' 2>$null
$ErrorActionPreference = $saved
# Back under 'Stop': a native call without a redirection is fine.
sc.exe query kubelet | Out-Null
