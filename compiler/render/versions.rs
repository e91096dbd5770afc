//! The upstream releases the scripts install, pinned so output is reproducible.
//! Bumping one is a reviewed change of the golden files.

use serde::Serialize;

/// Pinned versions of everything the scripts download.
#[derive(Clone, Debug, Serialize)]
pub struct Versions {
    /// containerd for Windows nodes (Linux nodes take their distribution's package).
    pub containerd: &'static str,
    /// flannel: the Linux DaemonSet image and `flanneld.exe` on Windows.
    pub flannel: &'static str,
    /// flannel's CNI plugin (image on Linux, `flannel.exe` on Windows).
    pub flannel_cni_plugin: &'static str,
    /// containernetworking/plugins for Windows (`host-local.exe` reserves kube-proxy's source VIP).
    pub cni_plugins: &'static str,
    /// microsoft/windows-container-networking (`sdnoverlay.exe`, `sdnbridge.exe`).
    pub windows_cni: &'static str,
    /// Calico: the Tigera operator manifest and, through it, calico-node on Linux and Windows.
    pub calico: &'static str,
    /// Docker Engine's static Windows build, for `container_runtime = "docker"`.
    pub docker_windows: &'static str,
    /// Mirantis cri-dockerd: the CRI in front of Docker since Kubernetes 1.24.
    pub cri_dockerd: &'static str,
    /// Cloudbase's certified Open vSwitch MSI with the OVN host feature (seed 003).
    pub ovs_msi: &'static str,
    /// Cloudbase's OVN CNI plugin for Windows (seed 003).
    pub ovn_cni: &'static str,
    /// The Windows pause image (multi-arch; needed on ltsc2022).
    pub pause_image: &'static str,
}

impl Versions {
    /// The versions this release of kubeplan was tested with.
    pub fn pinned() -> Self {
        Versions {
            containerd: "1.7.22",
            flannel: "v0.25.6",
            flannel_cni_plugin: "v1.5.1-flannel2",
            cni_plugins: "v1.5.1",
            windows_cni: "v0.3.0",
            calico: "v3.28.2",
            docker_windows: "27.3.1",
            cri_dockerd: "0.3.15",
            ovs_msi: "https://cloudbase.it/downloads/openvswitch-hyperv-2.7.0-certified.msi",
            ovn_cni: "https://cloudbase.it/downloads/ovn_cni.exe",
            pause_image: "mcr.microsoft.com/oss/kubernetes/pause:3.9",
        }
    }
}
