# exit-code.ps1 fixed: 3010 (ERROR_SUCCESS_REBOOT_REQUIRED) whenever a restart is needed.
$ErrorActionPreference = 'Stop'
$ExitRestartRequired = 3010
if (Test-Path 'C:\etc\kubernetes\kubelet.conf') {
    # Nothing left to do is success.
    Write-Host 'already joined'
    exit 0
}
$containers = Get-WindowsFeature -Name Containers
if (-not $containers.Installed) {
    $result = Install-WindowsFeature -Name Containers
    if ($result.RestartNeeded -eq 'Yes') {
        exit 3010
    }
}
$pending = Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
if ($pending) {
    Write-Host 'a reboot is pending: restart Windows, then run this script again'
    exit $ExitRestartRequired
}
Write-Host 'done'
exit 0
