//! The typed, serializable values templates see. Rust decides; templates only write text.

use serde::Serialize;

use crate::cluster::{Cluster, Node, NodeOs};
use crate::graph::Graph;
use crate::model::{KubeVersion, NetworkMode, PackageManager, Platform, Role};
use crate::render::versions::Versions;

/// kubeadm's v1beta4 config API is the default from this release on.
const KUBEADM_V1BETA4: KubeVersion = KubeVersion::new(1, 31, 0);
/// kubelet dropped `--pod-infra-container-image` and `--container-runtime` in 1.27.
const KUBELET_1_27: KubeVersion = KubeVersion::new(1, 27, 0);
/// The VXLAN fix for Windows Server 2019 (KB4489899) is OS build 17763.379.
const KB4489899_REVISION: u32 = 379;

/// The whole-cluster part of every template's context.
#[derive(Serialize)]
pub struct ClusterCtx {
    pub name: String,
    pub kubernetes_version: String,
    /// `v1.29.4`, as kubeadm and dl.k8s.io write it.
    pub kubernetes_tag: String,
    pub kube_channel: String,
    pub endpoint: String,
    pub endpoint_host: String,
    pub endpoint_port: u16,
    pub platform: &'static str,
    pub mode: &'static str,
    pub vxlan: bool,
    pub cluster_cidr: String,
    pub service_cidr: String,
    pub dns_service_ip: String,
    pub vxlan_vni: u32,
    pub vxlan_port: u16,
    pub ca_cert_hash: Option<String>,
    pub kubeadm_api: &'static str,
    pub kubeadm_args_as_list: bool,
    pub has_windows: bool,
    /// The API server's port on the first control-plane node: the endpoint's port when the
    /// endpoint is that node, else kubeadm's 6443 behind a load balancer.
    pub api_bind_port: u16,
    pub kubelet_before_1_27: bool,
    pub versions: Versions,
}

/// One node's part of a template's context.
#[derive(Serialize)]
pub struct NodeCtx {
    pub name: String,
    pub address: String,
    /// The address as a /32 route.
    pub host_prefix: String,
    pub interface: String,
    pub worker: bool,
    pub management_cidr: String,
    pub linux: Option<LinuxCtx>,
    pub windows: Option<WindowsCtx>,
    /// The vmxnet3 offload unit is installed (vSphere, Linux; seed 001).
    pub vmxnet3_unit: bool,
}

/// What differs between Linux distributions.
#[derive(Serialize)]
pub struct LinuxCtx {
    pub distro: String,
    pub os_release_id: &'static str,
    pub major: String,
    pub package_manager: PackageManager,
}

/// What differs between Windows releases.
#[derive(Serialize)]
pub struct WindowsCtx {
    pub version: String,
    pub build: u32,
    /// Minimum update build revision (UBR) the preflight accepts; 0 when any will do.
    pub min_revision: u32,
    pub min_revision_reason: &'static str,
    /// The HNS network flannel creates for this mode, which kube-proxy attaches to.
    pub hns_network: String,
}

/// A step of the runbook.
#[derive(Serialize)]
pub struct StepCtx {
    pub number: usize,
    pub id: String,
    pub kind: crate::graph::StepKind,
    pub node: Option<String>,
    pub address: Option<String>,
    pub files: Vec<String>,
}

impl ClusterCtx {
    /// The cluster context of a validated cluster.
    pub fn new(c: &Cluster) -> Self {
        let v = c.kubernetes_version;
        ClusterCtx {
            name: c.name.to_string(),
            kubernetes_version: v.to_string(),
            kubernetes_tag: format!("v{v}"),
            kube_channel: v.minor_channel(),
            endpoint: c.endpoint.to_string(),
            endpoint_host: c.endpoint.host.clone(),
            endpoint_port: c.endpoint.port,
            platform: c.platform.as_str(),
            mode: c.network.mode.as_str(),
            vxlan: c.network.mode == NetworkMode::Vxlan,
            cluster_cidr: c.network.cluster_cidr.to_string(),
            service_cidr: c.network.service_cidr.to_string(),
            dns_service_ip: c.network.dns_service_ip().to_string(),
            vxlan_vni: c.network.vxlan_vni,
            vxlan_port: c.network.vxlan_port,
            ca_cert_hash: c.ca_cert_hash.as_ref().map(|h| h.as_str().to_owned()),
            kubeadm_api: if v >= KUBEADM_V1BETA4 {
                "kubeadm.k8s.io/v1beta4"
            } else {
                "kubeadm.k8s.io/v1beta3"
            },
            kubeadm_args_as_list: v >= KUBEADM_V1BETA4,
            has_windows: c.has_windows(),
            api_bind_port: if c.endpoint.host == c.first_control_plane().address.to_string() {
                c.endpoint.port
            } else {
                6443
            },
            kubelet_before_1_27: v < KUBELET_1_27,
            versions: Versions::pinned(),
        }
    }
}

impl NodeCtx {
    /// The node context of one node of a validated cluster.
    pub fn new(c: &Cluster, n: &Node) -> Self {
        let (linux, windows) = match &n.os {
            NodeOs::Linux(d) => (
                Some(LinuxCtx {
                    distro: d.to_string(),
                    os_release_id: d.family.os_release_id(),
                    major: d.major().to_owned(),
                    package_manager: d.family.package_manager(),
                }),
                None,
            ),
            NodeOs::Windows(w) => {
                let vxlan_2019 = c.network.mode == NetworkMode::Vxlan && w.build() == 17763;
                (
                    None,
                    Some(WindowsCtx {
                        version: w.to_string(),
                        build: w.build(),
                        min_revision: if vxlan_2019 { KB4489899_REVISION } else { 0 },
                        min_revision_reason: if vxlan_2019 {
                            "VXLAN on Windows Server 2019 needs KB4489899 or a later cumulative update"
                        } else {
                            ""
                        },
                        hns_network: match c.network.mode {
                            NetworkMode::Vxlan => format!("flannel.{}", c.network.vxlan_vni),
                            _ => "cbr0".to_owned(),
                        },
                    }),
                )
            }
        };
        NodeCtx {
            name: n.name.to_string(),
            address: n.address.to_string(),
            host_prefix: format!("{}/32", n.address),
            interface: n.interface.clone(),
            worker: n.has_role(Role::Worker),
            management_cidr: n.management_cidr.to_string(),
            vmxnet3_unit: linux.is_some() && c.platform == Platform::Vsphere,
            linux,
            windows,
        }
    }
}

/// The runbook's steps, numbered in run order, each with the files it uses.
pub fn steps(c: &Cluster, g: &Graph, files_of: impl Fn(&str) -> Vec<String>) -> Vec<StepCtx> {
    let by_name: std::collections::HashMap<&crate::model::NodeName, &Node> =
        c.nodes.iter().map(|n| (&n.name, n)).collect();
    g.steps()
        .enumerate()
        .map(|(i, s)| {
            let node = s.node.as_ref().and_then(|name| by_name.get(name));
            StepCtx {
                number: i + 1,
                id: s.id.clone(),
                kind: s.kind,
                node: s.node.as_ref().map(|n| n.to_string()),
                address: node.map(|n| n.address.to_string()),
                files: files_of(&s.id),
            }
        })
        .collect()
}
