# module.ps1 fixed: the features installed (by the shape bootstrap.ps1 uses) and the
# module imported before their cmdlets run.
$ErrorActionPreference = 'Stop'
$features = 'Containers', 'Hyper-V-PowerShell'
$missing = @(Get-WindowsFeature -Name $features | Where-Object { -not $_.Installed } | ForEach-Object { $_.Name })
if ($missing.Count -gt 0) {
    $result = Install-WindowsFeature -Name $missing
    if ($result.RestartNeeded -eq 'Yes') {
        exit 3010
    }
}
Disable-VMSwitchExtension -Name 'Cloudbase Open vSwitch Extension'
Import-Module 'C:\k\hns.psm1' -DisableNameChecking
Get-HnsNetwork | Where-Object { $_.Name -eq 'External' }
