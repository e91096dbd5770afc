# A start script with two characters outside ASCII.
# flanneld's log — the dash is U+2014.
$NodeName = 'win-1'
Write-Host "kubeplan[$NodeName]: ‘done’"
