//! Rules about the network: CIDRs, node addresses, flannel VXLAN on Windows, and the
//! combinations this version generates.

use ipnet::Ipv4Net;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, Span};
use crate::model::{KubeVersion, NetworkMode, NetworkPlugin, Os, Platform, Runtime};
use crate::spec::decode::{DEFAULT_VXLAN_PORT, DEFAULT_VXLAN_VNI};
use crate::spec::{NodeSpec, Spanned, Spec};

/// The oldest release with packages on pkgs.k8s.io, where the scripts install from.
pub const MIN_KUBERNETES: KubeVersion = KubeVersion::new(1, 24, 0);
/// flannel gives each node a /24 of the cluster CIDR (its default `SubnetLen`).
const NODE_SUBNET_PREFIX: u8 = 24;
/// Without `management_cidr`, a node's host network is taken to be the /24 around its address.
const DEFAULT_MANAGEMENT_PREFIX: u8 = 24;

pub(super) fn check(spec: &Spec, diags: &mut Diagnostics) {
    check_generated(spec, diags);
    check_vxlan(spec, diags);
    check_cidrs(spec, diags);
    for n in &spec.nodes {
        check_address(spec, n, diags);
    }
}

/// The host network of a node: `network.management_cidr`, or the /24 around its address.
pub(super) fn management_cidr(spec: &Spec, n: &NodeSpec) -> Ipv4Net {
    match &spec.cluster.network.management_cidr {
        Some(m) => m.value,
        None => Ipv4Net::new(n.address.value, DEFAULT_MANAGEMENT_PREFIX)
            .map(|net| net.trunc())
            .expect("24 is a valid IPv4 prefix"),
    }
}

fn check_generated(spec: &Spec, diags: &mut Diagnostics) {
    let c = &spec.cluster;
    let n = &c.network;
    if n.plugin.value != NetworkPlugin::Flannel {
        diags.push(unsupported(
            &n.plugin.span,
            format!(
                "network plugin {:?} is not generated yet",
                n.plugin.value.as_str()
            ),
            "use plugin = \"flannel\", the provider Rancher supports for Windows (seed 001)",
        ));
    }
    if n.mode.value == NetworkMode::L3Upstream {
        diags.push(unsupported(
            &n.mode.span,
            "mode \"l3-upstream\" is not generated yet".into(),
            "use mode = \"vxlan\" or \"host-gw\"",
        ));
    }
    if c.container_runtime.value == Runtime::Docker {
        diags.push(unsupported(
            &c.container_runtime.span,
            "container_runtime \"docker\" is not generated yet".into(),
            "use container_runtime = \"containerd\"; Kubernetes 1.24 removed the built-in Docker support",
        ));
    }
    let version = &c.kubernetes_version;
    if version.value < MIN_KUBERNETES {
        diags.push(
            Diagnostic::error(
                Code::KubernetesVersion,
                Some(version.span.clone()),
                format!("Kubernetes {} is older than {MIN_KUBERNETES}", version.value),
            )
            .with_help("the scripts install from pkgs.k8s.io, which starts at 1.24 (Windows nodes need 1.15 or later in any case)"),
        );
    }
    if version.value.major != 1 {
        diags.push(
            Diagnostic::error(
                Code::KubernetesVersion,
                Some(version.span.clone()),
                format!("Kubernetes {} is not a 1.x release", version.value),
            )
            .with_help("write a release such as \"1.29.4\""),
        );
    }
    if matches!(
        c.platform.value,
        Platform::Aws | Platform::Gce | Platform::Azure
    ) {
        diags.push(
            Diagnostic::warning(
                Code::Unsupported,
                Some(c.platform.span.clone()),
                format!("kubeplan does not generate {} network settings yet", c.platform.value),
            )
            .with_help("disable the source/destination check (AWS) or enable IP forwarding (GCE, Azure) on every node by hand, and for host-gw add a route per node (seeds 000, 001)"),
        );
    }
}

/// flannel's Windows VXLAN backend accepts only VNI 4096 and UDP 4789, and Linux nodes must
/// use the same values (flannel's `vxlan_windows.go`; RKE's default 1/8472 breaks Windows).
fn check_vxlan(spec: &Spec, diags: &mut Diagnostics) {
    let n = &spec.cluster.network;
    let windows = spec.nodes.iter().any(|n| n.os.value == Os::Windows);
    if n.mode.value != NetworkMode::Vxlan || !windows {
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
            .with_help("flannel on Windows needs vni = 4096, on every node"),
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
            .with_help("Windows overlay networking uses UDP port 4789; set port = 4789"),
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
    // flannel needs its per-node subnets to be smaller than the network itself.
    let prefix = cluster.value.prefix_len();
    let slots: u64 = if prefix < NODE_SUBNET_PREFIX {
        1 << (NODE_SUBNET_PREFIX - prefix)
    } else {
        0
    };
    if spec.nodes.len() as u64 > slots || slots == 0 {
        diags.push(
            Diagnostic::error(
                Code::ClusterCidrSize,
                Some(cluster.span.clone()),
                format!(
                    "cluster_cidr {} has room for {slots} node subnets, the spec has {} nodes",
                    cluster.value,
                    spec.nodes.len()
                ),
            )
            .with_help(
                "flannel gives each node a /24; use a larger cluster_cidr such as 10.244.0.0/16",
            ),
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

fn overlaps(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

fn unsupported(span: &Span, message: String, help: &str) -> Diagnostic {
    Diagnostic::error(Code::Unsupported, Some(span.clone()), message).with_help(help)
}
