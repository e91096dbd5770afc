//! Rules about the network that hold for every network: CIDRs, node addresses, VXLAN on
//! Windows, host-gw's L2 segment. Each network's own rules are in
//! its module under `network/`, run from here.

use ipnet::Ipv4Net;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{NetworkMode, Platform};
use crate::spec::decode::{DEFAULT_VXLAN_PORT, DEFAULT_VXLAN_VNI};
use crate::spec::{NodeSpec, Spanned, Spec};

/// A node's pod subnet holds at least the gateway, the host endpoint and two pods.
pub const MAX_NODE_CIDR_MASK: u8 = 29;

pub(super) fn check(spec: &Spec, diags: &mut Diagnostics) {
    check_generated(spec, diags);
    crate::network::check(spec, diags);
    check_vxlan(spec, diags);
    check_l2_segment(spec, diags);
    check_cidrs(spec, diags);
    for n in &spec.nodes {
        check_address(spec, n, diags);
    }
}

fn check_generated(spec: &Spec, diags: &mut Diagnostics) {
    let c = &spec.cluster;
    if let Some(domain) = &c.dhcp_domain_name {
        check_dhcp_domain(c.platform.value, domain, diags);
    }
}

/// Seed 000: host-gw on bare metal, vSphere or AWS works only with every node on one L2
/// subnet (GCE and Azure route between subnets with the cloud's routes instead). With a
/// `management_cidr` the spec says where that segment is (KP031 keeps nodes inside it);
/// without one, nodes in different /24s are suspect.
fn check_l2_segment(spec: &Spec, diags: &mut Diagnostics) {
    let c = &spec.cluster;
    let n = &c.network;
    if n.mode.value != NetworkMode::HostGw
        || n.management_cidr.is_some()
        || matches!(c.platform.value, Platform::Gce | Platform::Azure)
    {
        return;
    }
    let segments: std::collections::BTreeSet<Ipv4Net> = spec
        .nodes
        .iter()
        .map(|node| spec.cluster.network.host_network(node))
        .collect();
    if segments.len() > 1 {
        diags.push(
            Diagnostic::warning(
                Code::L2Segment,
                Some(n.mode.span.clone()),
                format!(
                    "host-gw needs every node on one L2 segment; the node addresses span {} /24 networks",
                    segments.len()
                ),
            )
            .with_help("put the nodes on one subnet and set network.management_cidr to it, or use mode = \"vxlan\" (seed 000)"),
        );
    }
}

/// flannel's Windows VXLAN backend accepts only VNI 4096 and UDP 4789, and Linux nodes must
/// use the same values (flannel's `vxlan_windows.go`; RKE's default 1/8472 breaks Windows).
fn check_vxlan(spec: &Spec, diags: &mut Diagnostics) {
    let n = &spec.cluster.network;
    if n.mode.value != NetworkMode::Vxlan || !spec.cluster.windows_support.value {
        return;
    }
    if n.vxlan_vni.value != DEFAULT_VXLAN_VNI {
        diags.push(
            Diagnostic::error(
                Code::VxlanVni,
                Some(n.vxlan_vni.span.clone()),
                format!(
                    "VXLAN VNI {} does not work with Windows nodes",
                    n.vxlan_vni.value
                ),
            )
            .with_help("flannel on Windows needs vni = 4096, on every node; a Linux-only cluster sets windows_support = false"),
        );
    }
    if n.vxlan_port.value != DEFAULT_VXLAN_PORT {
        diags.push(
            Diagnostic::error(
                Code::VxlanPort,
                Some(n.vxlan_port.span.clone()),
                format!(
                    "VXLAN port {} does not work with Windows nodes",
                    n.vxlan_port.value
                ),
            )
            .with_help("Windows overlay networking uses UDP port 4789; set port = 4789, or windows_support = false for a Linux-only cluster"),
        );
    }
}

fn check_cidrs(spec: &Spec, diags: &mut Diagnostics) {
    let n = &spec.cluster.network;
    let mut named: Vec<(&str, &Spanned<Ipv4Net>)> = vec![
        ("cluster_cidr", &n.cluster_cidr),
        ("service_cidr", &n.service_cidr),
    ];
    if let Some(m) = &n.management_cidr {
        named.push(("management_cidr", m));
    }
    for (i, (name, net)) in named.iter().enumerate() {
        for (other_name, other) in &named[..i] {
            if overlaps(net.value, other.value) {
                diags.push(
                    Diagnostic::error(
                        Code::CidrOverlap,
                        Some(net.span.clone()),
                        format!("{name} {} overlaps {other_name} {}", net.value, other.value),
                    )
                    .with_help("pods, services and hosts each need their own address range"),
                );
            }
        }
    }
    let cluster = &n.cluster_cidr;
    let mask = &n.node_cidr_mask;
    let prefix = cluster.value.prefix_len();
    if mask.value <= prefix || mask.value > MAX_NODE_CIDR_MASK {
        diags.push(
            Diagnostic::error(
                Code::PodCidr,
                Some(mask.span.clone()),
                format!(
                    "node_cidr_mask /{} does not split cluster_cidr {} into node subnets",
                    mask.value, cluster.value
                ),
            )
            .with_help(format!(
                "use a prefix longer than /{prefix} and at most /{MAX_NODE_CIDR_MASK}, e.g. 24"
            )),
        );
        return;
    }
    let slots: u64 = 1 << (mask.value - prefix);
    if spec.nodes.len() as u64 > slots {
        diags.push(
            Diagnostic::error(
                Code::ClusterCidrSize,
                Some(cluster.span.clone()),
                format!(
                    "cluster_cidr {} has room for {slots} node subnets of /{}, the spec has {} nodes",
                    cluster.value,
                    mask.value,
                    spec.nodes.len()
                ),
            )
            .with_help("each node gets a pod subnet of node_cidr_mask bits; use a larger cluster_cidr such as 10.244.0.0/16, or a longer node_cidr_mask"),
        );
    }
}

fn check_address(spec: &Spec, node: &NodeSpec, diags: &mut Diagnostics) {
    let n = &spec.cluster.network;
    let addr = &node.address;
    for (name, net) in [
        ("cluster_cidr", &n.cluster_cidr),
        ("service_cidr", &n.service_cidr),
    ] {
        if net.value.contains(&addr.value) {
            diags.push(
                Diagnostic::error(
                    Code::AddressInCidr,
                    Some(addr.span.clone()),
                    format!(
                        "address {} of node {:?} is inside {name} {}",
                        addr.value,
                        node.name.value.as_str(),
                        net.value
                    ),
                )
                .with_help(format!("pick a {name} that does not hold any host address")),
            );
        }
    }
    if let Some(m) = &n.management_cidr {
        if !m.value.contains(&addr.value) {
            diags.push(
                Diagnostic::error(
                    Code::ManagementCidr,
                    Some(addr.span.clone()),
                    format!("address {} of node {:?} is outside management_cidr {}", addr.value, node.name.value.as_str(), m.value),
                )
                .with_help("management_cidr is the host network every node sits on; widen it or fix the address"),
            );
        }
    }
}

/// Seed 001: an AWS DHCP option set may name one domain; Windows and some Linux
/// distributions read a space-separated list as a single domain name.
fn check_dhcp_domain(platform: Platform, domain: &Spanned<String>, diags: &mut Diagnostics) {
    if platform != Platform::Aws {
        diags.push(
            Diagnostic::error(
                Code::InvalidValue,
                Some(domain.span.clone()),
                "dhcp_domain_name applies to platform = \"aws\" only",
            )
            .with_help("remove dhcp_domain_name, or set platform = \"aws\""),
        );
    } else if domain.value.split_whitespace().count() > 1 {
        diags.push(
            Diagnostic::warning(
                Code::DhcpDomain,
                Some(domain.span.clone()),
                format!("the VPC DHCP option set names several domains: {:?}", domain.value),
            )
            .with_help("Windows reads the domain-name option as one name; with Windows nodes in the VPC, give the option set a single domain (seed 001)"),
        );
    }
}

fn overlaps(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}
