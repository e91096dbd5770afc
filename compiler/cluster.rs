//! `Cluster`: the validated description, every default resolved. Later stages read only this.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::model::{
    CaCertHash, Distro, Endpoint, KubeVersion, NetworkMode, NetworkPlugin, NodeName, Platform,
    Role, Runtime, WindowsVersion,
};

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
    /// Nodes in spec order (files sorted by name, blocks in file order).
    pub nodes: Vec<Node>,
}

/// The validated network.
#[derive(Clone, Debug)]
pub struct Network {
    pub plugin: NetworkPlugin,
    pub mode: NetworkMode,
    pub cluster_cidr: Ipv4Net,
    pub service_cidr: Ipv4Net,
    pub vxlan_vni: u32,
    pub vxlan_port: u16,
}

impl Network {
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
}

impl Node {
    /// True when the node runs the given role.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
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

    /// True when any node runs Windows.
    pub fn has_windows(&self) -> bool {
        self.nodes.iter().any(Node::is_windows)
    }
}
