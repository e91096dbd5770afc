//! The typed, serializable values templates see. Rust decides; templates only write text.

use serde::Serialize;

use crate::cluster::{Cluster, Node, NodeOs, RemovedNode};
use crate::graph::Graph;
use crate::model::{KubeVersion, NetworkMode, PackageManager, Role};
use crate::network::{Port, Tunnel};
use crate::render::versions::Versions;

/// kubeadm's v1beta4 config API, which takes extra args as a list of name/value pairs.
const KUBEADM_V1BETA4: &str = "kubeadm.k8s.io/v1beta4";
/// kubelet dropped `--container-runtime` in 1.27 and deprecated `--pod-infra-container-image`
/// (removed in 1.35, kubernetes PR #133779).
const KUBELET_1_27: KubeVersion = KubeVersion::new(1, 27, 0);
/// kube-log-runner gained `-log-file-size` and `-log-file-age` in 1.34 (kubernetes PR
/// #127667); older ones exit at an unknown flag.
const LOG_RUNNER_ROTATION: KubeVersion = KubeVersion::new(1, 34, 0);
/// kubeadm's taint on control-plane nodes that are not also workers.
const CONTROL_PLANE_TAINT: &str = "node-role.kubernetes.io/control-plane:NoSchedule";
/// The update build revision a Windows node's preflight insists on, and why.
fn min_revision(c: &Cluster, w: crate::model::WindowsVersion) -> (u32, &'static str) {
    c.network.get().min_revision(w).unwrap_or((0, ""))
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
    /// kubeplan plans each node's pod subnet (host-gw, l3-upstream, ovn).
    pub plans_pod_subnets: bool,
    /// What the shared templates ask of the network; its partials hold the rest.
    pub network: NetworkCtx,
    /// The first control-plane node's address, where `kubeadm init` runs (and OVN central).
    pub init_address: String,
    /// Extra kube-controller-manager flags for kubeadm's ClusterConfiguration.
    pub controller_manager_args: Vec<ArgCtx>,
    pub cluster_cidr: String,
    /// The prefix length of each node's pod subnet (Calico's IPAM block size).
    pub node_cidr_mask: u8,
    pub service_cidr: String,
    pub dns_service_ip: String,
    pub vxlan_vni: u32,
    pub vxlan_port: u16,
    /// The overlay's tunnel, which every node's firewall lets in; `None` without one.
    pub tunnel: Option<Tunnel>,
    pub ca_cert_hash: Option<String>,
    /// The kubeadm configuration API of the minor (release matrix).
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
    /// kube-log-runner rotates its log file (`-log-file-size`, `-log-file-age`) from 1.34.
    pub log_runner_rotates: bool,
    /// Docker Engine behind cri-dockerd instead of containerd.
    pub docker: bool,
    /// The CRI endpoint kubeadm and the kubelet use on Linux and on Windows.
    pub linux_cri_socket: &'static str,
    pub windows_cri_socket: &'static str,
    /// The Windows service the kubelet service depends on.
    pub windows_runtime_service: &'static str,
    pub versions: Versions,
    /// Where the pinned containerd for Windows reads its CNI settings.
    pub containerd: ContainerdCtx,
    /// The cloud's names, when the cloud network script is generated.
    pub cloud: Option<crate::cloud::Cloud>,
    /// Per Windows release of the cluster, the images it runs and how (seed 004).
    pub windows_images: Vec<ImagesCtx>,
    /// Every download a node's scripts fetch, by the release matrix's id: its URL (the
    /// mirror's, when the spec has one) and how it is verified.
    pub downloads: std::collections::BTreeMap<String, super::downloads::DownloadCtx>,
    /// The images kubeplan's own manifests name, from the mirror's registry when set.
    pub images: ImageNamesCtx,
    /// The mirror's registry (`mirror.container_registry`): kubeadm's `imageRepository` and
    /// the Calico Installation's `registry`.
    pub registry: Option<String>,
}

/// The images kubeplan's manifests name.
#[derive(Serialize)]
pub struct ImageNamesCtx {
    pub flannel: String,
    pub flannel_cni_plugin: String,
}

/// The network as the shared templates see it: the partials under `network/` are
/// chosen by the network itself (`render::engine`).
#[derive(Serialize)]
pub struct NetworkCtx {
    /// `flannel vxlan`, `Calico VXLAN`, `l3-upstream routing`.
    pub title: &'static str,
    /// kube-proxy runs on the Windows nodes.
    pub windows_kube_proxy: bool,
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
    /// The node's pod subnet where kubeplan plans them, its gateway (`.1`), the host's endpoint
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
    /// What a Linux node's firewalld must let in, where firewalld runs.
    pub firewall_ports: Vec<Port>,
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
    /// The graph steps of the row: one, or a Windows node's preparation and join.
    pub ids: Vec<String>,
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
        let kubeadm_api = crate::releases::matrix()
            .minor(v)
            .map_or(KUBEADM_V1BETA4, |k| k.kubeadm_api.as_str());
        ClusterCtx {
            name: c.name.to_string(),
            kubernetes_version: v.to_string(),
            kubernetes_tag: format!("v{v}"),
            kube_channel: v.minor_channel(),
            endpoint: c.endpoint.to_string(),
            endpoint_host: c.endpoint.host.clone(),
            endpoint_port: c.endpoint.port,
            platform: c.platform.as_str(),
            mode: c.network.get().mode().as_str(),
            vxlan: c.network.get().mode() == NetworkMode::Vxlan,
            plans_pod_subnets: c.network.plans_pod_subnets(),
            network: NetworkCtx {
                title: c.network.get().title(),
                windows_kube_proxy: c.network.get().windows_kube_proxy(),
            },
            init_address: c.first_control_plane().address.to_string(),
            controller_manager_args: controller_manager_args(c),
            cluster_cidr: c.network.cluster_cidr.to_string(),
            node_cidr_mask: c.network.node_cidr_mask,
            service_cidr: c.network.service_cidr.to_string(),
            dns_service_ip: c.network.dns_service_ip().to_string(),
            vxlan_vni: c.network.vxlan_vni,
            vxlan_port: c.network.vxlan_port,
            tunnel: c.network.get().tunnel(&c.network),
            ca_cert_hash: c.ca_cert_hash.as_ref().map(|h| h.as_str().to_owned()),
            kubeadm_api,
            kubeadm_args_as_list: kubeadm_api == KUBEADM_V1BETA4,
            has_windows: c.has_windows(),
            linux_worker_taint: c.linux_worker_taint,
            ha: c.nodes.iter().filter(|n| n.is_control_plane()).count() > 1,
            api_bind_port: api_bind_port(c),
            kubelet_before_1_27: v < KUBELET_1_27,
            log_runner_rotates: v >= LOG_RUNNER_ROTATION,
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
            versions: c.versions.clone(),
            containerd: ContainerdCtx::new(&c.versions.containerd, &c.versions.pause_image),
            cloud: c.cloud.clone().filter(|_| c.needs_cloud_routes()),
            windows_images: images(c),
            downloads: super::downloads::downloads_ctx(c),
            images: ImageNamesCtx {
                flannel: c.mirror.image(&crate::network::flannel_image(&c.versions)),
                flannel_cni_plugin: c
                    .mirror
                    .image(&crate::network::flannel_cni_image(&c.versions)),
            },
            registry: c.mirror.container_registry.clone(),
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
            firewall_ports: if n.is_windows() {
                Vec::new()
            } else {
                firewall_ports(c, n)
            },
            linux,
            windows,
        }
    }
}

/// The shape of containerd's CRI CNI settings, which moved between releases: config
/// version 2 under `io.containerd.grpc.v1.cri` up to 1.7, version 3 under
/// `io.containerd.cri.v1.runtime` from 2.0, and from 2.1 the list `bin_dirs` in place of
/// `bin_dir` (containerd `internal/cri/config/config.go`, `CniConfig`; setting both is an
/// error there). The pod sandbox image is `sandbox_image` of the CRI plugin up to 1.7 and
/// `pinned_images.sandbox` of `io.containerd.cri.v1.images` from 2.0 (v2.2.7
/// `internal/cri/config/config.go`, `ImageConfig.PinnedImages`); kubeplan always sets it,
/// since only containerd 2.3 and later default to a pause image with a Windows Server 2025
/// manifest (registry.k8s.io/pause:3.10.2, containerd PR #13156, not backported).
#[derive(Serialize)]
pub struct ContainerdCtx {
    pub config_version: u8,
    pub cri_plugin: &'static str,
    pub cni_bin_dirs: bool,
    pub sandbox_image: String,
}

impl ContainerdCtx {
    /// The settings' shape for a containerd release `MAJOR.MINOR.PATCH`.
    pub fn new(version: &str, sandbox_image: &str) -> Self {
        let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        let major = parts.next().unwrap_or(0);
        let minor = parts.next().unwrap_or(0);
        let sandbox_image = sandbox_image.to_owned();
        if major < 2 {
            ContainerdCtx {
                config_version: 2,
                cri_plugin: "io.containerd.grpc.v1.cri",
                cni_bin_dirs: false,
                sandbox_image,
            }
        } else {
            ContainerdCtx {
                config_version: 3,
                cri_plugin: "io.containerd.cri.v1.runtime",
                cni_bin_dirs: minor >= 1 || major > 2,
                sandbox_image,
            }
        }
    }
}

/// The port every API server listens on: the endpoint's port when the endpoint is the
/// first control-plane node itself, else kubeadm's default behind a load balancer.
fn api_bind_port(c: &Cluster) -> u16 {
    if c.endpoint.host == c.first_control_plane().address.to_string() {
        c.endpoint.port
    } else {
        6443
    }
}

/// The ports a Linux node must accept, by its roles and the network: kubernetes.io
/// "Ports and Protocols" for the control plane and workers, plus the overlay's tunnel.
fn firewall_ports(c: &Cluster, n: &Node) -> Vec<Port> {
    let mut ports = Vec::new();
    let mut add = |port: String, what: &'static str| ports.push(Port { port, what });
    if n.is_control_plane() {
        add(format!("{}/tcp", api_bind_port(c)), "kube-apiserver");
        add("2379-2380/tcp".into(), "etcd");
        add("10257/tcp".into(), "kube-controller-manager");
        add("10259/tcp".into(), "kube-scheduler");
    }
    add("10250/tcp".into(), "kubelet API");
    add("10256/tcp".into(), "kube-proxy health check");
    if n.has_role(Role::Worker) {
        add("30000-32767/tcp".into(), "NodePort services");
        add("30000-32767/udp".into(), "NodePort services");
    }
    if let Some(t) = c.network.get().tunnel(&c.network) {
        add(format!("{}/{}", t.port, t.protocol), t.display);
    }
    ports.extend(c.network.get().firewall_ports(c, n));
    ports
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

/// The HNS network kube-proxy attaches to.
fn hns_network(c: &Cluster) -> String {
    c.network.get().hns_network(&c.network)
}

/// One row of `_cluster/routes.tsv`.
#[derive(Serialize)]
pub struct RouteCtx {
    pub node: String,
    pub os: &'static str,
    pub address: String,
    pub pod_cidr: String,
    /// The cloud machine as the cloud names it (`Provider::instance`); empty off the clouds.
    pub instance: String,
    /// The name of the node's pod route in the cloud (`Provider::route`); empty off the clouds.
    pub route: String,
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
                instance: c.cloud.as_ref().map_or_else(String::new, |cloud| {
                    cloud
                        .get()
                        .instance(n.name.as_str(), n.instance_id.as_deref())
                }),
                route: route(c, n.name.as_str()),
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
            image: c.mirror.image(&w.iis_image()),
        })
        .collect()
}

/// Which container images run on one Windows release of the cluster (seed 004).
#[derive(Serialize)]
pub struct ImagesCtx {
    pub host: String,
    pub build: u32,
    pub process: String,
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
            }
        })
        .collect()
}

/// The cloud routes of removed nodes, to delete: one per removed node.
#[derive(Serialize)]
pub struct GoneRouteCtx {
    pub node: String,
    /// The name of its pod route in the cloud.
    pub route: String,
}

/// The name of a node's pod route in the cluster's cloud; empty off the clouds.
fn route(c: &Cluster, node: &str) -> String {
    c.cloud.as_ref().map_or_else(String::new, |cloud| {
        cloud.get().route(c.name.as_str(), node)
    })
}

pub fn gone_routes(c: &Cluster, removed: &[RemovedNode]) -> Vec<GoneRouteCtx> {
    removed
        .iter()
        .map(|r| GoneRouteCtx {
            node: r.name.to_string(),
            route: route(c, r.name.as_str()),
        })
        .collect()
}

/// The runbook's steps, numbered in run order, each with the files it uses. A Windows
/// node's join is one row with its preparation: one run of bootstrap.ps1 does both.
pub fn steps(c: &Cluster, g: &Graph, files_of: impl Fn(&str) -> Vec<String>) -> Vec<StepCtx> {
    use crate::graph::{Step, StepKind};
    let by_name: std::collections::HashMap<&crate::model::NodeName, &Node> =
        c.nodes.iter().map(|n| (&n.name, n)).collect();
    g.steps()
        .filter(|s| s.kind != StepKind::WindowsJoin)
        .enumerate()
        .map(|(i, s)| {
            let node = s.node.as_ref().and_then(|name| by_name.get(name));
            let mut ids = vec![s.id.clone()];
            let mut files = files_of(&s.id);
            if s.kind == StepKind::WindowsPrepare {
                let join = Step::new(StepKind::WindowsJoin, s.node.as_ref()).id;
                files.extend(files_of(&join));
                ids.push(join);
            }
            StepCtx {
                number: i + 1,
                ids,
                kind: s.kind,
                node: s.node.as_ref().map(|n| n.to_string()),
                address: node.map(|n| n.address.to_string()),
                files,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::ContainerdCtx;

    const PAUSE: &str = "registry.k8s.io/pause:3.10.2";

    /// containerd-config.toml for a containerd release, as TOML.
    fn containerd_config(version: &str) -> toml::Table {
        let engine = crate::render::engine::engine(crate::network::Kind::FlannelVxlan, "none")
            .expect("templates parse");
        let mut context = tera::Context::new();
        context.insert(
            "cluster",
            &serde_json::json!({ "containerd": ContainerdCtx::new(version, PAUSE) }),
        );
        context.insert("node", &serde_json::json!({ "name": "win-1" }));
        let text = engine
            .tera
            .render("windows/containerd-config.toml", &context)
            .expect("renders");
        text.parse().expect("valid TOML")
    }

    /// The CRI plugin's `cni` table and the config version, as containerd reads them.
    fn cni_table(config: &toml::Table, plugin: &str) -> toml::Table {
        config["plugins"][plugin]["cni"]
            .as_table()
            .unwrap_or_else(|| panic!("no [plugins.\"{plugin}\".cni] in {config:?}"))
            .clone()
    }

    #[test]
    fn containerd_1_7_reads_bin_dir_under_the_grpc_cri_plugin_of_config_version_2() {
        // containerd v1.7.22 pkg/cri/config/config.go: CniConfig `bin_dir`, `conf_dir`
        // under plugins."io.containerd.grpc.v1.cri".cni; version 2 is its config format.
        let config = containerd_config("1.7.22");
        assert_eq!(config["version"].as_integer(), Some(2));
        let cni = cni_table(&config, "io.containerd.grpc.v1.cri");
        assert_eq!(cni["bin_dir"].as_str(), Some(r"C:\opt\cni\bin"));
        assert_eq!(cni["conf_dir"].as_str(), Some(r"C:\etc\cni\net.d"));
        assert_eq!(cni.len(), 2);
        // v1.7.34 pkg/cri/config/config.go: PluginConfig `sandbox_image`.
        let cri = config["plugins"]["io.containerd.grpc.v1.cri"]
            .as_table()
            .unwrap();
        assert_eq!(cri["sandbox_image"].as_str(), Some(PAUSE));
    }

    #[test]
    fn containerd_2_pins_the_sandbox_image_under_the_images_plugin() {
        // v2.0.11 and v2.3.4 internal/cri/config/config.go: ImageConfig `pinned_images`,
        // key "sandbox", under plugins.'io.containerd.cri.v1.images'.
        for version in ["2.0.11", "2.3.4"] {
            let config = containerd_config(version);
            let pinned = &config["plugins"]["io.containerd.cri.v1.images"]["pinned_images"];
            assert_eq!(pinned["sandbox"].as_str(), Some(PAUSE), "{version}");
            assert!(config["plugins"].get("io.containerd.grpc.v1.cri").is_none());
        }
    }

    #[test]
    fn containerd_2_0_reads_bin_dir_under_the_cri_runtime_plugin_of_config_version_3() {
        // containerd v2.0.0 internal/cri/config/config.go and plugins/cri/runtime/plugin.go.
        let config = containerd_config("2.0.5");
        assert_eq!(config["version"].as_integer(), Some(3));
        let cni = cni_table(&config, "io.containerd.cri.v1.runtime");
        assert_eq!(cni["bin_dir"].as_str(), Some(r"C:\opt\cni\bin"));
        assert!(!cni.contains_key("bin_dirs"));
    }

    #[test]
    fn containerd_2_1_and_later_read_the_list_bin_dirs_and_never_both() {
        // containerd v2.1.0 internal/cri/config/config.go: `bin_dirs`, and "`cni.bin_dir`
        // and `cni.bin_dirs` cannot be set at the same time".
        for version in ["2.1.0", "2.2.7", "3.0.0"] {
            let config = containerd_config(version);
            assert_eq!(config["version"].as_integer(), Some(3), "{version}");
            let cni = cni_table(&config, "io.containerd.cri.v1.runtime");
            let dirs = cni["bin_dirs"].as_array().expect("bin_dirs is a list");
            assert_eq!(dirs.len(), 1, "{version}");
            assert_eq!(dirs[0].as_str(), Some(r"C:\opt\cni\bin"), "{version}");
            assert!(!cni.contains_key("bin_dir"), "{version}");
        }
    }
}
