# non-ascii.ps1 fixed: ASCII only.
# flanneld's log - the dash is ASCII.
$NodeName = 'win-1'
Write-Host "kubeplan[$NodeName]: 'done'"
