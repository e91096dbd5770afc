//! flannel with its host-gw backend: each node routes the others' pod subnets through
//! their addresses, so every node must share one L2 segment (seed 000). kubeplan plans
//! the pod subnets; flanneld creates the l2bridge HNS network `cbr0` on Windows.

use super::{NodeFile, Place, PodNetwork};
use crate::cluster::Network;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{NetworkMode, Os, Runtime};
use crate::spec::Spec;

pub struct FlannelHostGw;

impl PodNetwork for FlannelHostGw {
    fn plugin(&self) -> &'static str {
        "flannel"
    }

    fn mode(&self) -> NetworkMode {
        NetworkMode::HostGw
    }

    fn title(&self) -> &'static str {
        "flannel host-gw"
    }

    fn partials(&self) -> &'static str {
        "flannel"
    }

    fn check(&self, spec: &Spec, diags: &mut Diagnostics) {
        check_bridge_gateway(spec, diags);
    }

    fn hns_network(&self, _network: &Network) -> String {
        "cbr0".to_owned()
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
        super::flannel_vxlan::flannel_files(place)
    }
}

/// flannel host-gw on containerd Windows nodes runs sdnbridge with `forceBridgeGateway`,
/// which gives pods the gateway `a.b.c.2` of their subnet: it overwrites the address's last
/// byte (microsoft/windows-container-networking `common/core/network.go`, `allocateIpam`:
/// `Gateway[3] = 2`). A node subnet smaller than a /24 does not start at `a.b.c.0`, so its
/// pods would get a gateway outside their subnet. (The l3-upstream config names the gateway
/// itself, and Docker's win-bridge adds 2 to the subnet's address instead.)
fn check_bridge_gateway(spec: &Spec, diags: &mut Diagnostics) {
    let c = &spec.cluster;
    let n = &c.network;
    let windows = spec.nodes.iter().any(|node| node.os.value == Os::Windows);
    if !windows || c.container_runtime.value == Runtime::Docker || n.node_cidr_mask.value <= 24 {
        return;
    }
    diags.push(
        Diagnostic::error(
            Code::BridgeGateway,
            Some(n.node_cidr_mask.span.clone()),
            format!(
                "node_cidr_mask /{} gives Windows pods a gateway outside their subnet in host-gw mode",
                n.node_cidr_mask.value
            ),
        )
        .with_help("use node_cidr_mask = 24 or less: sdnbridge's forceBridgeGateway sets the gateway to a.b.c.2 of a node's subnet, which only a subnet starting at a.b.c.0 holds"),
    );
}
