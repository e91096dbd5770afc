//! The typed, serializable values templates see. Rust decides; templates only write text.

use serde::Serialize;

use crate::cluster::{Cluster, Node, NodeOs, RemovedNode};
use crate::graph::Graph;
use crate::model::{KubeVersion, NetworkMode, PackageManager, Role};
use crate::render::versions::Versions;

/// kubeadm's v1beta4 config API is the default from this release on.
const KUBEADM_V1BETA4: KubeVersion = KubeVersion::new(1, 31, 0);
/// kubelet dropped `--pod-infra-container-image` and `--container-runtime` in 1.27.
const KUBELET_1_27: KubeVersion = KubeVersion::new(1, 27, 0);
/// kubeadm's taint on control-plane nodes that are not also workers.
const CONTROL_PLANE_TAINT: &str = "node-role.kubernetes.io/control-plane:NoSchedule";
/// The VXLAN fix for Windows Server 2019 (KB4489899) is OS build 17763.379.
const KB4489899_REVISION: u32 = 379;
/// Calico for Windows needs Windows Server 2019 at 17763.1432 or 2022 at 20348.169.
const CALICO_2019_REVISION: u32 = 1432;
const CALICO_2022_REVISION: u32 = 169;

/// The update build revision a Windows node's preflight insists on, and why.
fn min_revision(c: &Cluster, w: crate::model::WindowsVersion) -> (u32, &'static str) {
    use crate::model::WindowsVersion::{Ltsc2019, Ltsc2022};
    match (c.network.runs_calico(), w) {
        (true, Ltsc2019) => (
            CALICO_2019_REVISION,
            "Calico for Windows needs Windows Server 2019 build 17763.1432 or later",
        ),
        (true, Ltsc2022) => (
            CALICO_2022_REVISION,
            "Calico for Windows needs Windows Server 2022 build 20348.169 or later",
        ),
        (false, Ltsc2019) if c.network.runs_flannel() && c.network.mode == NetworkMode::Vxlan => (
            KB4489899_REVISION,
            "VXLAN on Windows Server 2019 needs KB4489899 or a later cumulative update",
        ),
        _ => (0, ""),
    }
}

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
    /// flannel runs the pod network (vxlan, host-gw); l3-upstream uses plain bridges.
    pub flannel: bool,
    /// kubeplan plans each node's pod subnet (host-gw, l3-upstream, ovn).
    pub routed: bool,
    /// Calico VXLAN through the Tigera operator; calico-node runs on Windows as a HostProcess pod.
    pub calico: bool,
    /// OVN/OVS with Geneve; Windows nodes per seed 003 (OVS MSI, transparent network, ovn_cni).
    pub ovn: bool,
    /// Where OVN central runs: the first control-plane node's address.
    pub ovn_central: String,
    /// l3-upstream: a plain bridge per node on its pod subnet.
    pub bridges: bool,
    /// `flannel vxlan`, `flannel host-gw`, `l3-upstream routing`.
    pub network_name: String,
    /// Extra kube-controller-manager flags for kubeadm's ClusterConfiguration.
    pub controller_manager_args: Vec<ArgCtx>,
    pub cluster_cidr: String,
    /// The prefix length of each node's pod subnet (Calico's IPAM block size).
    pub node_cidr_mask: u8,
    pub service_cidr: String,
    pub dns_service_ip: String,
    pub vxlan_vni: u32,
    pub vxlan_port: u16,
    pub ca_cert_hash: Option<String>,
    pub kubeadm_api: &'static str,
    pub kubeadm_args_as_list: bool,
    pub has_windows: bool,
    pub linux_worker_taint: bool,
    /// More than one control-plane node: certificates are shared through kubeadm's upload.
    pub ha: bool,
    /// The API server's port on the first control-plane node: the endpoint's port when the
    /// endpoint is that node, else kubeadm's 6443 behind a load balancer.
    pub api_bind_port: u16,
    pub kubelet_before_1_27: bool,
    /// Docker Engine behind cri-dockerd instead of containerd.
    pub docker: bool,
    /// The CRI endpoint kubeadm and the kubelet use on Linux and on Windows.
    pub linux_cri_socket: &'static str,
    pub windows_cri_socket: &'static str,
    /// The Windows service the kubelet service depends on.
    pub windows_runtime_service: &'static str,
    pub versions: Versions,
    /// The cloud's names, when the cloud network script is generated.
    pub cloud: Option<crate::cluster::Cloud>,
    /// Per Windows release of the cluster, the images it runs and how (seed 004).
    pub windows_images: Vec<ImagesCtx>,
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
    /// The node's pod subnet in the routed modes, its gateway (`.1`), the host's endpoint
    /// on it (`.2`, Windows l2bridge) and the first pod address (`.3`).
    pub pod_cidr: Option<String>,
    pub pod_gateway: Option<String>,
    pub pod_host_endpoint: Option<String>,
    pub pod_range_start: Option<String>,
    /// `--node-labels` for the kubelet: `k=v,k2=v2`, empty when none.
    pub kubelet_labels: String,
    /// `--register-with-taints` for the kubelet, empty when none.
    pub kubelet_taints: String,
    pub labels: Vec<LabelCtx>,
    /// The taints `kubeadm init` registers the node with (its own, plus the control-plane
    /// taint unless the node is also a worker).
    pub init_taints: Vec<TaintCtx>,
    pub resources: ResourcesCtx,
}

/// A `--name=value` flag as kubeadm's extraArgs write it.
#[derive(Serialize)]
pub struct ArgCtx {
    pub name: &'static str,
    pub value: String,
}

/// One node label.
#[derive(Serialize)]
pub struct LabelCtx {
    pub key: String,
    pub value: String,
}

/// One taint, split as kubeadm's config writes it.
#[derive(Serialize)]
pub struct TaintCtx {
    pub key: String,
    pub value: String,
    pub effect: String,
}

impl TaintCtx {
    fn parse(t: &str) -> Self {
        let (kv, effect) = t.rsplit_once(':').unwrap_or((t, ""));
        let (key, value) = kv.split_once('=').unwrap_or((kv, ""));
        TaintCtx {
            key: key.to_owned(),
            value: value.to_owned(),
            effect: effect.to_owned(),
        }
    }
}

/// What the preflight requires of the machine: the spec's `resources`, at least the
/// minimums, with 10% slack for what firmware and the kernel keep.
#[derive(Serialize)]
pub struct ResourcesCtx {
    pub cpus: u32,
    pub memory_gb: u32,
    pub disk_gb: u32,
    pub memory_min_kib: u64,
    pub disk_min_kib: u64,
    pub memory_min_bytes: u64,
    pub disk_min_bytes: u64,
}

impl ResourcesCtx {
    fn new(r: &crate::cluster::Resources) -> Self {
        let bytes = |gb: u32| u64::from(gb) * 900_000_000;
        ResourcesCtx {
            cpus: r.cpus,
            memory_gb: r.memory_gb,
            disk_gb: r.disk_gb,
            memory_min_kib: bytes(r.memory_gb) / 1024,
            disk_min_kib: bytes(r.disk_gb) / 1024,
            memory_min_bytes: bytes(r.memory_gb),
            disk_min_bytes: bytes(r.disk_gb),
        }
    }
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
        let docker = c.runs_docker();
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
            flannel: c.network.runs_flannel(),
            routed: c.network.plans_pod_subnets(),
            ovn: c.network.runs_ovn(),
            ovn_central: c.first_control_plane().address.to_string(),
            calico: c.network.runs_calico(),
            bridges: c.network.bridges(),
            network_name: match (c.network.plugin, c.network.mode) {
                (_, NetworkMode::L3Upstream) => "l3-upstream routing".to_owned(),
                (crate::model::NetworkPlugin::Calico, _) => "Calico VXLAN".to_owned(),
                (crate::model::NetworkPlugin::Ovn, _) => "OVN/OVS with Geneve".to_owned(),
                (plugin, mode) => format!("{plugin} {mode}"),
            },
            controller_manager_args: controller_manager_args(c),
            cluster_cidr: c.network.cluster_cidr.to_string(),
            node_cidr_mask: c.network.node_cidr_mask,
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
            linux_worker_taint: c.linux_worker_taint,
            ha: c.nodes.iter().filter(|n| n.is_control_plane()).count() > 1,
            api_bind_port: if c.endpoint.host == c.first_control_plane().address.to_string() {
                c.endpoint.port
            } else {
                6443
            },
            kubelet_before_1_27: v < KUBELET_1_27,
            docker,
            linux_cri_socket: if docker {
                "unix:///var/run/cri-dockerd.sock"
            } else {
                "unix:///var/run/containerd/containerd.sock"
            },
            windows_cri_socket: if docker {
                "npipe:////./pipe/cri-dockerd"
            } else {
                "npipe:////./pipe/containerd-containerd"
            },
            windows_runtime_service: if docker { "docker" } else { "containerd" },
            versions: Versions::pinned(),
            cloud: c.needs_cloud_routes().then(|| c.cloud.clone()),
            windows_images: images(c),
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
                let (min_revision, min_revision_reason) = min_revision(c, *w);
                (
                    None,
                    Some(WindowsCtx {
                        version: w.to_string(),
                        build: w.build(),
                        min_revision,
                        min_revision_reason,
                        hns_network: hns_network(c),
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
            vmxnet3_unit: n.vmxnet3_fix,
            pod_cidr: n.pod_cidr.map(|p| p.to_string()),
            pod_gateway: nth_address(n.pod_cidr, 1),
            pod_host_endpoint: nth_address(n.pod_cidr, 2),
            pod_range_start: nth_address(n.pod_cidr, 3),
            kubelet_labels: n
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(","),
            kubelet_taints: n.taints.join(","),
            labels: n
                .labels
                .iter()
                .map(|(k, v)| LabelCtx {
                    key: k.clone(),
                    value: v.clone(),
                })
                .collect(),
            init_taints: n
                .taints
                .iter()
                .map(|t| t.as_str())
                .chain((!n.has_role(Role::Worker)).then_some(CONTROL_PLANE_TAINT))
                .map(TaintCtx::parse)
                .collect(),
            resources: ResourcesCtx::new(&n.resources),
            linux,
            windows,
        }
    }
}

fn nth_address(net: Option<ipnet::Ipv4Net>, n: u32) -> Option<String> {
    net.map(|p| std::net::Ipv4Addr::from(u32::from(p.network()) + n).to_string())
}

/// kube-controller-manager flags: no pod subnets of its own where kubeplan plans them, and
/// kubeadm's default /24 per node changed to `node_cidr_mask`.
fn controller_manager_args(c: &Cluster) -> Vec<ArgCtx> {
    if c.network.plans_pod_subnets() {
        vec![ArgCtx {
            name: "allocate-node-cidrs",
            value: "false".to_owned(),
        }]
    } else if c.network.node_cidr_mask != 24 {
        vec![ArgCtx {
            name: "node-cidr-mask-size",
            value: c.network.node_cidr_mask.to_string(),
        }]
    } else {
        Vec::new()
    }
}

/// A node removed from the spec, for its cleanup scripts.
#[derive(Serialize)]
pub struct RemovedCtx {
    pub name: String,
    pub address: String,
    pub windows: bool,
    /// The pod network's HNS network in the cluster's mode.
    pub hns_network: String,
}

impl RemovedCtx {
    pub fn new(c: &Cluster, r: &crate::cluster::RemovedNode) -> Self {
        RemovedCtx {
            name: r.name.to_string(),
            address: r.address.to_string(),
            windows: r.windows,
            hns_network: hns_network(c),
        }
    }
}

/// The HNS network kube-proxy attaches to: Calico's `Calico`, flannel's `flannel.VNI` for
/// vxlan, else `cbr0`.
fn hns_network(c: &Cluster) -> String {
    if c.network.runs_calico() {
        return "Calico".to_owned();
    }
    if c.network.runs_ovn() {
        // The transparent docker network OVS attaches to (seed 003).
        return "external".to_owned();
    }
    match c.network.mode {
        NetworkMode::Vxlan => format!("flannel.{}", c.network.vxlan_vni),
        _ => "cbr0".to_owned(),
    }
}

/// One row of `_cluster/routes.tsv`.
#[derive(Serialize)]
pub struct RouteCtx {
    pub node: String,
    pub os: &'static str,
    pub address: String,
    pub pod_cidr: String,
    /// The cloud machine: the EC2 instance id (empty: looked up by address), or the GCE /
    /// Azure VM name (the node name unless the spec names it).
    pub instance: String,
    /// The node's pod route on GCE.
    pub gce_route: String,
}

/// The route table: every node with a planned pod subnet, in spec order.
pub fn routes(c: &Cluster) -> Vec<RouteCtx> {
    c.nodes
        .iter()
        .filter_map(|n| {
            Some(RouteCtx {
                node: n.name.to_string(),
                os: n.os_name(),
                address: n.address.to_string(),
                pod_cidr: n.pod_cidr?.to_string(),
                instance: match (&n.instance_id, c.platform) {
                    (Some(id), _) => id.clone(),
                    (None, crate::model::Platform::Aws) => String::new(),
                    (None, _) => n.name.to_string(),
                },
                gce_route: crate::validate::gce_route_name(c.name.as_str(), n.name.as_str()),
            })
        })
        .collect()
}

/// One sample Windows workload: IIS on the nodes of one Windows release.
#[derive(Serialize)]
pub struct WorkloadCtx {
    pub name: String,
    pub release: String,
    /// `10.0.BUILD`, as the kubelet labels the node `node.kubernetes.io/windows-build`.
    pub windows_build: String,
    pub image: String,
}

pub fn workloads(c: &Cluster) -> Vec<WorkloadCtx> {
    c.windows_versions()
        .into_iter()
        .map(|w| WorkloadCtx {
            name: format!("iis-{}", w.image_tag().to_ascii_lowercase()),
            release: w.to_string(),
            windows_build: format!("10.0.{}", w.build()),
            image: w.iis_image(),
        })
        .collect()
}

/// Which container images run on one Windows release of the cluster (seed 004).
#[derive(Serialize)]
pub struct ImagesCtx {
    pub host: String,
    pub build: u32,
    pub process: String,
    pub hyper_v: Vec<String>,
}

fn images(c: &Cluster) -> Vec<ImagesCtx> {
    use crate::model::{Isolation, WindowsVersion};
    c.windows_versions()
        .into_iter()
        .map(|host| {
            let with = |i: Isolation| {
                WindowsVersion::all()
                    .iter()
                    .filter(move |v| host.isolation_for(**v) == i)
                    .map(|v| v.image_tag().to_owned())
            };
            ImagesCtx {
                host: host.to_string(),
                build: host.build(),
                process: with(Isolation::Process).collect::<Vec<_>>().join(", "),
                hyper_v: with(Isolation::HyperV).collect(),
            }
        })
        .collect()
}

/// The cloud routes of removed nodes, to delete: one per removed node.
#[derive(Serialize)]
pub struct GoneRouteCtx {
    pub node: String,
    pub gce_route: String,
}

pub fn gone_routes(c: &Cluster, removed: &[RemovedNode]) -> Vec<GoneRouteCtx> {
    removed
        .iter()
        .map(|r| GoneRouteCtx {
            node: r.name.to_string(),
            gce_route: crate::validate::gce_route_name(c.name.as_str(), r.name.as_str()),
        })
        .collect()
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
