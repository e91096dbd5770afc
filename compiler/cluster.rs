//! `Cluster`: the validated description, every default resolved. Later stages read only this.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::cloud::Cloud;
use crate::model::{
    CaCertHash, Distro, Endpoint, KubeVersion, NodeName, Platform, Role, Runtime, WindowsVersion,
};
use crate::network::{Kind, PodNetwork};

/// A validated cluster.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub name: NodeName,
    pub kubernetes_version: KubeVersion,
    pub runtime: Runtime,
    pub endpoint: Endpoint,
    pub platform: Platform,
    pub network: Network,
    pub ca_cert_hash: Option<CaCertHash>,
    /// The cluster can hold Windows nodes (chosen at creation).
    pub windows_support: bool,
    /// Linux workers carry `cattle.io/os=linux:NoSchedule` (Rancher's taint, seed 001).
    pub linux_worker_taint: bool,
    /// The cloud and its settings, on AWS, GCE and Azure.
    pub cloud: Option<Cloud>,
    /// Nodes in spec order (files sorted by name, blocks in file order).
    pub nodes: Vec<Node>,
    /// What the scripts install: the release matrix's versions and the spec's pins.
    pub versions: crate::render::Versions,
    /// Every download of the matrix at those versions, with its mirror URL and its check.
    pub downloads: crate::releases::Downloads,
    /// The site's artifact store (all unset without a `mirror` block).
    pub mirror: crate::releases::Mirror,
}

/// The validated network.
#[derive(Clone, Debug)]
pub struct Network {
    /// Which network runs: flannel VXLAN, flannel host-gw, l3-upstream, Calico, OVN.
    pub kind: Kind,
    /// The plugin and mode as the spec names them, which select `kind`.
    pub plugin: crate::network::Plugin,
    pub mode: crate::model::NetworkMode,
    pub cluster_cidr: Ipv4Net,
    /// The prefix length of each node's pod subnet.
    pub node_cidr_mask: u8,
    pub service_cidr: Ipv4Net,
    /// The VXLAN settings of the spec (defaults 4096 and 4789), which the VXLAN networks use.
    pub vxlan_vni: u32,
    pub vxlan_port: u16,
}

impl Network {
    /// The network's module.
    pub fn get(&self) -> &'static dyn PodNetwork {
        self.kind.get()
    }

    /// kubeplan plans each node's pod subnet in `_cluster/routes.tsv` (host-gw, l3-upstream, ovn).
    pub fn plans_pod_subnets(&self) -> bool {
        self.get().plans_pod_subnets()
    }

    /// The cluster DNS service address: the tenth address of the service CIDR, as kubeadm picks it.
    pub fn dns_service_ip(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.service_cidr.network()).saturating_add(10))
    }
}

/// The operating system of a node with what that OS needs.
#[derive(Clone, Debug)]
pub enum NodeOs {
    Linux(Distro),
    Windows(WindowsVersion),
}

/// A validated node.
#[derive(Clone, Debug)]
pub struct Node {
    pub name: NodeName,
    pub os: NodeOs,
    pub roles: Vec<Role>,
    pub address: Ipv4Addr,
    pub interface: String,
    /// The host network the node sits on; kept out of SNAT on Windows (seed 003).
    pub management_cidr: Ipv4Net,
    /// Labels the kubelet registers the node with, keys sorted.
    pub labels: Vec<(String, String)>,
    /// Taints the kubelet registers the node with, `KEY[=VALUE]:EFFECT`.
    pub taints: Vec<String>,
    /// What the preflight checks the machine has.
    pub resources: Resources,
    /// The node's pod subnet where kubeplan plans them (host-gw, l3-upstream, ovn); `None`
    /// otherwise, where the controller manager or Calico hands them out.
    pub pod_cidr: Option<Ipv4Net>,
    /// The cloud machine: EC2 instance id (looked up by address when `None`), or the VM
    /// name on GCE and Azure (the node name when `None`).
    pub instance_id: Option<String>,
    /// The vmxnet3 offload unit is installed (vSphere Linux nodes unless opted out).
    pub vmxnet3_fix: bool,
}

/// A machine's size, as the spec declares it (at least the minimums).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resources {
    pub cpus: u32,
    pub memory_gb: u32,
    pub disk_gb: u32,
}

/// Rancher's node minimums (seed 001): 2 CPUs, 5 GB of memory, 50 GB of disk (Windows too).
pub const MIN_CPUS: u32 = 2;
pub const MIN_MEMORY_GB: u32 = 5;
pub const MIN_DISK_GB: u32 = 50;

/// The taint Rancher puts on Linux workers so Windows workloads land on Windows nodes.
pub const LINUX_WORKER_TAINT: &str = "cattle.io/os=linux:NoSchedule";

impl Node {
    /// True when the node runs the given role.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// `linux` or `windows`, as the spec, the state and the route table write it.
    pub fn os_name(&self) -> &'static str {
        if self.is_windows() {
            "windows"
        } else {
            "linux"
        }
    }

    /// True for Windows nodes.
    pub fn is_windows(&self) -> bool {
        matches!(self.os, NodeOs::Windows(_))
    }

    /// True for Linux nodes with the controlplane role.
    pub fn is_control_plane(&self) -> bool {
        !self.is_windows() && self.has_role(Role::ControlPlane)
    }
}

impl Cluster {
    /// The Linux node that runs `kubeadm init`: the first control-plane node in spec order.
    pub fn first_control_plane(&self) -> &Node {
        self.nodes
            .iter()
            .find(|n| n.is_control_plane())
            .expect("validation guarantees a control-plane node")
    }

    /// True when the cloud must be told about pod subnets: a routed mode on AWS, GCE or
    /// Azure (seeds 000 and 001).
    pub fn needs_cloud_routes(&self) -> bool {
        self.cloud.is_some() && self.network.get().mode().routes_pod_subnets()
    }

    /// Docker Engine behind cri-dockerd on every node, instead of containerd.
    pub fn runs_docker(&self) -> bool {
        self.runtime == Runtime::Docker
    }

    /// The distinct Windows releases of the nodes, oldest first.
    pub fn windows_versions(&self) -> Vec<WindowsVersion> {
        let set: std::collections::BTreeSet<WindowsVersion> = self
            .nodes
            .iter()
            .filter_map(|n| match n.os {
                NodeOs::Windows(w) => Some(w),
                NodeOs::Linux(_) => None,
            })
            .collect();
        set.into_iter().collect()
    }

    /// True when any node runs Windows.
    pub fn has_windows(&self) -> bool {
        self.nodes.iter().any(Node::is_windows)
    }
}

/// A node of an earlier apply that is no longer in the spec: it gets cleanup scripts.
#[derive(Clone, Debug)]
pub struct RemovedNode {
    pub name: NodeName,
    pub windows: bool,
    pub address: Ipv4Addr,
}
