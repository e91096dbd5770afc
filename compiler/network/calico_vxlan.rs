//! Calico with VXLAN, as RKE2 runs it with Windows nodes (seed 001): the Tigera operator
//! installs it, calico-node runs on Windows as a HostProcess pod and creates the HNS
//! network `Calico`; Calico's IPAM hands out the pod addresses in blocks.

use super::{FileStep, NodeFile, Place, PodNetwork, Port, Tunnel};
use crate::cluster::{Cluster, Network, Node};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{KubeVersion, NetworkMode, Os, Runtime, WindowsVersion};
use crate::spec::{NodeSpec, Spec};

/// HostProcess containers on Windows, which run calico-node there (seed 001).
const HOST_PROCESS: KubeVersion = KubeVersion::new(1, 24, 1);
/// Calico's smallest IPv4 IPAM block prefix.
const CALICO_MIN_BLOCK: u8 = 20;
/// The Tigera operator asks for three Typha replicas, each on its own Linux node.
const CALICO_TYPHA_REPLICAS: usize = 3;
/// Calico for Windows needs Windows Server 2019 at 17763.1432 or 2022 at 20348.169.
const CALICO_2019_REVISION: u32 = 1432;
const CALICO_2022_REVISION: u32 = 169;
/// Calico Typha's port, which calico-node on every node connects to (projectcalico docs,
/// "Network requirements").
const TYPHA_PORT: u16 = 5473;

pub struct CalicoVxlan;

impl PodNetwork for CalicoVxlan {
    fn plugin(&self) -> &'static str {
        "calico"
    }

    fn mode(&self) -> NetworkMode {
        NetworkMode::Vxlan
    }

    fn title(&self) -> &'static str {
        "Calico VXLAN"
    }

    fn partials(&self) -> &'static str {
        "calico"
    }

    fn check(&self, spec: &Spec, diags: &mut Diagnostics) {
        check_calico(spec, diags);
    }

    fn refuse_mode(&self, spec: &Spec) -> Diagnostic {
        let n = &spec.cluster.network;
        Diagnostic::error(
            Code::Calico,
            Some(n.mode.span.clone()),
            format!("Calico is generated with VXLAN, not {}", n.mode.value),
        )
        .with_help("set mode = \"vxlan\": Calico on Windows has no IPIP, and BGP is off with VXLAN; host-gw and l3-upstream are flannel and bridge modes")
    }

    fn hns_network(&self, _network: &Network) -> String {
        "Calico".to_owned()
    }

    fn tunnel(&self, network: &Network) -> Option<Tunnel> {
        Some(Tunnel {
            rule: "calico-vxlan",
            display: "Calico VXLAN",
            protocol: "udp",
            port: network.vxlan_port,
            vni: Some(network.vxlan_vni),
        })
    }

    fn firewall_ports(&self, _cluster: &Cluster, _node: &Node) -> Vec<Port> {
        vec![Port {
            port: format!("{TYPHA_PORT}/tcp"),
            what: "Calico Typha",
        }]
    }

    fn min_revision(&self, windows: WindowsVersion) -> Option<(u32, &'static str)> {
        match windows {
            WindowsVersion::Ltsc2019 => Some((
                CALICO_2019_REVISION,
                "Calico for Windows needs Windows Server 2019 build 17763.1432 or later",
            )),
            WindowsVersion::Ltsc2022 => Some((
                CALICO_2022_REVISION,
                "Calico for Windows needs Windows Server 2022 build 20348.169 or later",
            )),
            _ => None,
        }
    }

    fn components(&self) -> &'static [&'static str] {
        &["calico"]
    }

    fn init_downloads(&self) -> &'static [&'static str] {
        &["calico-crds", "tigera-operator"]
    }

    /// What the Tigera operator runs, as Calico's air-gap guide lists it (release matrix).
    fn images(&self, v: &crate::render::Versions) -> (Vec<String>, Vec<String>) {
        let c = crate::releases::matrix().component("calico");
        let at = |list: &[String]| {
            list.iter()
                .map(|i| i.replace("{version}", &v.calico))
                .collect()
        };
        (at(&c.images), at(&c.windows_images))
    }

    fn files(&self, place: Place) -> Vec<NodeFile> {
        match place {
            Place::Linux { first: true } => {
                vec![NodeFile::new("calico.yaml", "linux/calico.yaml", FileStep::Cni)]
            }
            _ => Vec::new(),
        }
    }
}

/// Calico as RKE2 runs it with Windows nodes (seed 001): containerd, VXLAN, the Windows
/// releases Calico supports, and HostProcess containers for calico-node on Windows.
fn check_calico(spec: &Spec, diags: &mut Diagnostics) {
    let c = &spec.cluster;
    let n = &c.network;
    if c.container_runtime.value == Runtime::Docker {
        diags.push(
            Diagnostic::error(
                Code::Calico,
                Some(c.container_runtime.span.clone()),
                "Calico with Windows nodes runs on containerd, not docker",
            )
            .with_help("set container_runtime = \"containerd\": RKE2's Windows support with Calico is containerd only (seed 001), and calico-node runs as a HostProcess container, which Docker cannot run"),
        );
    }
    let mask = &n.node_cidr_mask;
    if mask.value < CALICO_MIN_BLOCK {
        diags.push(
            Diagnostic::error(
                Code::Calico,
                Some(mask.span.clone()),
                format!("node_cidr_mask /{} is too large a block for Calico", mask.value),
            )
            .with_help(format!("Calico's IPAM blocks are /{CALICO_MIN_BLOCK} to /32; kubeplan uses node_cidr_mask as the block size, e.g. 24 or 26")),
        );
    }
    let windows: Vec<&NodeSpec> = spec
        .nodes
        .iter()
        .filter(|n| n.os.value == Os::Windows)
        .collect();
    if windows.is_empty() {
        return;
    }
    let version = &c.kubernetes_version;
    if version.value < HOST_PROCESS {
        diags.push(
            Diagnostic::error(
                Code::Calico,
                Some(version.span.clone()),
                format!("Kubernetes {} cannot run calico-node on Windows", version.value),
            )
            .with_help(format!("calico-node runs on Windows as a HostProcess container, supported from Kubernetes {HOST_PROCESS} (seed 001)")),
        );
    }
    let linux = spec.nodes.len() - windows.len();
    if linux < CALICO_TYPHA_REPLICAS {
        diags.push(
            Diagnostic::warning(
                Code::Calico,
                Some(n.plugin.span.clone()),
                format!("Calico's Typha wants {CALICO_TYPHA_REPLICAS} Linux nodes; the spec has {linux}"),
            )
            .with_help("Typha runs only on Linux; with fewer Linux nodes some replicas may stay pending"),
        );
    }
}

