//! flannel with its VXLAN backend: the overlay Rancher and sig-windows-tools run on Windows
//! (seeds 000 and 001). flanneld creates the HNS overlay network `flannel.VNI` on each
//! Windows node; the controller manager hands out the pod subnets.

use super::{FileStep, NodeFile, Place, PodNetwork, Tunnel};
use crate::cluster::Network;
use crate::model::{NetworkMode, WindowsVersion};

/// The VXLAN fix for Windows Server 2019 (KB4489899) is OS build 17763.379.
const KB4489899_REVISION: u32 = 379;

pub struct FlannelVxlan;

impl PodNetwork for FlannelVxlan {
    fn plugin(&self) -> &'static str {
        "flannel"
    }

    fn mode(&self) -> NetworkMode {
        NetworkMode::Vxlan
    }

    fn title(&self) -> &'static str {
        "flannel vxlan"
    }

    fn partials(&self) -> &'static str {
        "flannel"
    }

    fn hns_network(&self, network: &Network) -> String {
        // flannel pkg/backend/vxlan/vxlan_windows.go names the network `flannel.VNI`.
        format!("flannel.{}", network.vxlan_vni)
    }

    fn tunnel(&self, network: &Network) -> Option<Tunnel> {
        Some(Tunnel {
            rule: "flannel-vxlan",
            display: "flannel VXLAN",
            protocol: "udp",
            port: network.vxlan_port,
            vni: Some(network.vxlan_vni),
        })
    }

    fn min_revision(&self, windows: WindowsVersion) -> Option<(u32, &'static str)> {
        (windows == WindowsVersion::Ltsc2019).then_some((
            KB4489899_REVISION,
            "VXLAN on Windows Server 2019 needs KB4489899 or a later cumulative update",
        ))
    }

    fn components(&self) -> &'static [&'static str] {
        &["flannel", "flannel_cni_plugin"]
    }

    fn windows_downloads(&self) -> &'static [&'static str] {
        &["kubectl.exe", "flanneld.exe", "flannel-cni-windows"]
    }

    fn images(&self, v: &crate::render::Versions) -> (Vec<String>, Vec<String>) {
        super::flannel_vxlan::flannel_images(v)
    }

    fn files(&self, place: Place) -> Vec<NodeFile> {
        flannel_files(place)
    }
}

/// flannel's files in either backend: on Windows its CNI config, flanneld's net-conf.json
/// and the script its boot task runs; on the first control-plane node its manifest.
pub(super) fn flannel_files(place: Place) -> Vec<NodeFile> {
    match place {
        Place::Windows => vec![
            NodeFile::new("10-flannel.json", "windows/10-flannel.json", FileStep::Setup),
            NodeFile::new("net-conf.json", "windows/net-conf.json", FileStep::Setup),
            NodeFile::new(
                "start-flanneld.ps1",
                "windows/start-flanneld.ps1",
                FileStep::Join,
            ),
        ],
        Place::Linux { first: true } => vec![NodeFile::new(
            "kube-flannel.yml",
            "linux/kube-flannel.yml",
            FileStep::Cni,
        )],
        Place::Linux { first: false } => Vec::new(),
    }
}

/// flannel's DaemonSet images on the Linux nodes (linux/kube-flannel.yml), as flannel's own
/// manifest names them (flannel-io/flannel v0.28.9 Documentation/kube-flannel.yml: ghcr.io,
/// tag = git tag); Windows nodes run flanneld.exe, not an image.
pub(super) fn flannel_images(v: &crate::render::Versions) -> (Vec<String>, Vec<String>) {
    (vec![flannel_image(v), flannel_cni_image(v)], Vec::new())
}

/// flanneld's image.
pub fn flannel_image(v: &crate::render::Versions) -> String {
    format!("ghcr.io/flannel-io/flannel:{}", v.flannel)
}

/// The image that installs flannel's CNI plugin.
pub fn flannel_cni_image(v: &crate::render::Versions) -> String {
    format!("ghcr.io/flannel-io/flannel-cni-plugin:{}", v.flannel_cni_plugin)
}
