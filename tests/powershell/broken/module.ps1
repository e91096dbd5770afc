# Shaped like bootstrap.ps1's OVN branch: cmdlets of modules the script has not put there.
$ErrorActionPreference = 'Stop'
Install-WindowsFeature -Name Containers | Out-Null
# The Hyper-V module comes with Hyper-V-PowerShell, which is not installed.
Disable-VMSwitchExtension -Name 'Cloudbase Open vSwitch Extension'
# hns.psm1 is imported only after the call.
Get-HnsNetwork | Where-Object { $_.Name -eq 'External' }
Import-Module 'C:\k\hns.psm1' -DisableNameChecking
# ServerManager is inbox; asking for the feature does not install it.
Get-WindowsFeature -Name Hyper-V-PowerShell | Out-Null; Get-VMSwitch
