# Shaped like bootstrap.ps1's Containers step: unfinished steps that exit 0.
$ErrorActionPreference = 'Stop'
$containers = Get-WindowsFeature -Name Containers
if (-not $containers.Installed) {
    $result = Install-WindowsFeature -Name Containers
    if ($result.RestartNeeded -eq 'Yes') {
        exit 0
    }
}
$hyperv = Install-WindowsFeature -Name Hyper-V-PowerShell
if ($hyperv.RestartNeeded -eq 'Yes') {
    Write-Host 'restart Windows, then run this script again'
    exit
}
$pending = Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
if ($pending) {
    Write-Host 'a reboot is pending'
    return
}
Write-Host 'done'
exit 0
