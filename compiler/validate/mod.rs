//! `validate`: every rule over a [`Spec`], reported together, then the [`Cluster`] it describes.
//!
//! Rules live by subject: `nodes` (one node at a time and duplicates), `topology`
//! (roles across the cluster), `network` (CIDRs, VXLAN, addresses, what is generated).

mod network;
mod nodes;
mod topology;

use crate::cluster::{Cluster, Network, Node, NodeOs};
use crate::diagnostic::Diagnostics;
use crate::spec::{NodeSpec, Spec};

/// What validation gave: the cluster when no rule found an error, and every diagnostic.
#[derive(Debug)]
pub struct Validated {
    pub cluster: Option<Cluster>,
    pub diagnostics: Diagnostics,
}

/// Runs every rule; the cluster is built only when none reports an error.
pub fn validate(spec: &Spec) -> Validated {
    let mut diags = Diagnostics::default();
    let node_os: Vec<Option<NodeOs>> = spec
        .nodes
        .iter()
        .map(|n| nodes::check_node(spec, n, &mut diags))
        .collect();
    nodes::check_unique(&spec.nodes, &mut diags);
    topology::check(spec, &mut diags);
    network::check(spec, &mut diags);
    diags.sort();
    if diags.has_errors() {
        return Validated {
            cluster: None,
            diagnostics: diags,
        };
    }
    let nodes = spec
        .nodes
        .iter()
        .zip(node_os)
        .filter_map(|(n, os)| Some(build_node(spec, n, os?)))
        .collect();
    Validated {
        cluster: Some(build_cluster(spec, nodes)),
        diagnostics: diags,
    }
}

fn build_cluster(spec: &Spec, nodes: Vec<Node>) -> Cluster {
    let c = &spec.cluster;
    let n = &c.network;
    Cluster {
        name: c.name.value.clone(),
        kubernetes_version: c.kubernetes_version.value,
        runtime: c.container_runtime.value,
        endpoint: c.control_plane_endpoint.value.clone(),
        platform: c.platform.value,
        network: Network {
            plugin: n.plugin.value,
            mode: n.mode.value,
            cluster_cidr: n.cluster_cidr.value,
            service_cidr: n.service_cidr.value,
            vxlan_vni: n.vxlan_vni.value,
            vxlan_port: n.vxlan_port.value,
        },
        ca_cert_hash: c.ca_cert_hash.as_ref().map(|h| h.value.clone()),
        nodes,
    }
}

fn build_node(spec: &Spec, n: &NodeSpec, os: NodeOs) -> Node {
    Node {
        name: n.name.value.clone(),
        os,
        roles: n.roles.value.iter().map(|r| r.value).collect(),
        address: n.address.value,
        interface: n.interface.value.clone(),
        management_cidr: network::management_cidr(spec, n),
    }
}
