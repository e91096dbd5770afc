//! Rules about the network: CIDRs, node addresses, flannel VXLAN on Windows, and the
//! combinations this version generates.

use ipnet::Ipv4Net;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{
    KubeVersion, NetworkMode, NetworkPlugin, Os, Platform, Runtime, WindowsVersion,
};
use crate::spec::decode::{DEFAULT_VXLAN_PORT, DEFAULT_VXLAN_VNI};
use crate::spec::{NodeSpec, Spanned, Spec};

/// The oldest release with packages on pkgs.k8s.io, where the scripts install from.
pub const MIN_KUBERNETES: KubeVersion = KubeVersion::new(1, 24, 0);
/// A node's pod subnet holds at least the gateway, the host endpoint and two pods.
pub(super) const MAX_NODE_CIDR_MASK: u8 = 29;
/// HostProcess containers on Windows, which run calico-node there (seed 001).
pub(crate) const HOST_PROCESS: KubeVersion = KubeVersion::new(1, 24, 1);
/// Calico's smallest IPv4 IPAM block prefix.
const CALICO_MIN_BLOCK: u8 = 20;
/// The Tigera operator asks for three Typha replicas, each on its own Linux node.
const CALICO_TYPHA_REPLICAS: usize = 3;
/// Without `management_cidr`, a node's host network is taken to be the /24 around its address.
const DEFAULT_MANAGEMENT_PREFIX: u8 = 24;

pub(super) fn check(spec: &Spec, diags: &mut Diagnostics) {
    check_generated(spec, diags);
    if spec.cluster.network.plugin.value == NetworkPlugin::Calico {
        check_calico(spec, diags);
    }
    check_vxlan(spec, diags);
    check_l2_segment(spec, diags);
    check_bridge_gateway(spec, diags);
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
    if n.plugin.value == NetworkPlugin::Ovn {
        check_ovn(spec, diags);
    }
    if let Some(domain) = &c.dhcp_domain_name {
        check_dhcp_domain(c.platform.value, domain, diags);
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
    if n.mode.value != NetworkMode::Vxlan {
        diags.push(
            Diagnostic::error(
                Code::Calico,
                Some(n.mode.span.clone()),
                format!("Calico is generated with VXLAN, not {}", n.mode.value),
            )
            .with_help("set mode = \"vxlan\": Calico on Windows has no IPIP, and BGP is off with VXLAN; host-gw and l3-upstream are flannel and bridge modes"),
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
    for w in &windows {
        if let Some(v) = &w.windows_version {
            if !matches!(v.value, WindowsVersion::Ltsc2019 | WindowsVersion::Ltsc2022) {
                diags.push(
                    Diagnostic::error(
                        Code::Calico,
                        Some(v.span.clone()),
                        format!("Calico for Windows does not support Windows Server {}", v.value),
                    )
                    .with_help("use ltsc2019 (build 17763.1432 or later) or ltsc2022 (build 20348.169 or later)"),
                );
            }
        }
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

/// OVN/OVS as seed 003 sets up a Windows node: Docker's transparent network under OVS,
/// Geneve tunnels, and the Open vSwitch / OVN packages on the Linux nodes.
fn check_ovn(spec: &Spec, diags: &mut Diagnostics) {
    let c = &spec.cluster;
    let n = &c.network;
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
    if n.mode.value != NetworkMode::Vxlan {
        diags.push(
            Diagnostic::error(
                Code::Ovn,
                Some(n.mode.span.clone()),
                format!("OVN is an overlay; mode {} does not apply", n.mode.value),
            )
            .with_help("remove mode (or keep the default \"vxlan\", which means overlay): OVN tunnels with Geneve"),
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
        .map(|node| management_cidr(spec, node))
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
    if !windows
        || n.plugin.value != NetworkPlugin::Flannel
        || n.mode.value != NetworkMode::HostGw
        || c.container_runtime.value == Runtime::Docker
        || n.node_cidr_mask.value <= 24
    {
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
