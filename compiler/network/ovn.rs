//! OVN/OVS with Geneve, as seed 003 sets up a Windows node: Open vSwitch with the OVN
//! host, Docker's transparent network `external` on the node's pod subnet under `br-ex`,
//! and `ovn_cni.exe`; OVN central runs on the first control-plane node. OVN balances
//! services itself, so no kube-proxy runs on Windows.

use super::{FileStep, NodeFile, Place, PodNetwork, Port, Tunnel};
use crate::cluster::{Cluster, Network, Node};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{NetworkMode, Runtime};
use crate::spec::Spec;

/// Geneve's UDP port (IANA; Open vSwitch `lib/netdev-vport.c`, `GENEVE_DST_PORT`).
const GENEVE_PORT: u16 = 6081;
/// OVN's northbound and southbound databases on OVN central.
const OVN_DB_PORTS: &str = "6641-6642/tcp";

pub struct Ovn;

impl PodNetwork for Ovn {
    fn plugin(&self) -> &'static str {
        "ovn"
    }

    fn mode(&self) -> NetworkMode {
        NetworkMode::Vxlan
    }

    fn title(&self) -> &'static str {
        "OVN/OVS with Geneve"
    }

    fn partials(&self) -> &'static str {
        "ovn"
    }

    fn check(&self, spec: &Spec, diags: &mut Diagnostics) {
        check_ovn(spec, diags);
    }

    fn refuse_mode(&self, spec: &Spec) -> Diagnostic {
        let n = &spec.cluster.network;
        Diagnostic::error(
            Code::Ovn,
            Some(n.mode.span.clone()),
            format!("OVN is an overlay; mode {} does not apply", n.mode.value),
        )
        .with_help("remove mode (or keep the default \"vxlan\", which means overlay): OVN tunnels with Geneve")
    }

    /// A Windows node puts its pod subnet on the transparent network (seed 003).
    fn plans_pod_subnets(&self) -> bool {
        true
    }

    fn hns_network(&self, _network: &Network) -> String {
        // The transparent docker network OVS attaches to (seed 003).
        "external".to_owned()
    }

    fn tunnel(&self, _network: &Network) -> Option<Tunnel> {
        Some(Tunnel {
            rule: "ovn-geneve",
            display: "OVN Geneve",
            protocol: "udp",
            port: GENEVE_PORT,
            vni: None,
        })
    }

    fn windows_kube_proxy(&self) -> bool {
        false
    }

    fn firewall_ports(&self, cluster: &Cluster, node: &Node) -> Vec<Port> {
        if node.name == cluster.first_control_plane().name {
            vec![Port {
                port: OVN_DB_PORTS.into(),
                what: "OVN central databases",
            }]
        } else {
            Vec::new()
        }
    }

    fn components(&self) -> &'static [&'static str] {
        &["openvswitch"]
    }

    fn windows_downloads(&self) -> &'static [&'static str] {
        &["openvswitch-msi", "ovn_cni.exe"]
    }

    fn files(&self, place: Place) -> Vec<NodeFile> {
        match place {
            Place::Windows => {
                vec![NodeFile::new("10-ovn.json", "windows/10-ovn.json", FileStep::Setup)]
            }
            Place::Linux { .. } => Vec::new(),
        }
    }
}

/// OVN/OVS as seed 003 sets up a Windows node: Docker's transparent network under OVS,
/// Geneve tunnels, and the Open vSwitch / OVN packages on the Linux nodes.
fn check_ovn(spec: &Spec, diags: &mut Diagnostics) {
    let c = &spec.cluster;
    if c.container_runtime.value != Runtime::Docker {
        diags.push(
            Diagnostic::error(
                Code::Ovn,
                Some(c.container_runtime.span.clone()),
                format!("OVN on Windows needs Docker, not {}", c.container_runtime.value),
            )
            .with_help("set container_runtime = \"docker\": OVS on Windows attaches to a transparent docker network (seed 003)"),
        );
    }
    for node in &spec.nodes {
        if let Some(d) = &node.distro {
            if d.value.family.package_manager() != crate::model::PackageManager::Apt {
                diags.push(
                    Diagnostic::error(
                        Code::Ovn,
                        Some(d.span.clone()),
                        format!("OVN packages are generated for Ubuntu and Debian, not {}", d.value),
                    )
                    .with_help("use an ubuntu or debian distro on the Linux nodes of an OVN cluster: kubeplan installs openvswitch-switch, ovn-host and ovn-central from their archives"),
                );
            }
        }
    }
}

