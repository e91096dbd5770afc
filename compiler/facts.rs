//! The facts of a cluster that its state records with each apply (`state::ClusterFacts`,
//! `state::NodeFacts`): what the live cluster was built with and what each node runs, so a
//! later spec can be judged against the cluster as it is (`validate::live`).

use std::collections::BTreeMap;

use crate::cluster::{Cluster, Node, NodeOs};
use crate::state::{ClusterFacts, NodeFacts};

/// The cluster-wide facts of `c`.
pub fn cluster(c: &Cluster) -> ClusterFacts {
    ClusterFacts {
        kubernetes_version: c.kubernetes_version.to_string(),
        container_runtime: c.runtime.to_string(),
        control_plane_endpoint: c.endpoint.to_string(),
        network_plugin: c.network.plugin.to_string(),
        network_mode: c.network.mode.to_string(),
        cluster_cidr: c.network.cluster_cidr.to_string(),
        service_cidr: c.network.service_cidr.to_string(),
        node_cidr_mask: c.network.node_cidr_mask,
    }
}

/// The facts of node `n` of `c`; `first` is the first control-plane node's name.
pub fn node(c: &Cluster, n: &Node, first: &str) -> NodeFacts {
    let mut components = BTreeMap::new();
    // The first control-plane node applies the network's manifests, whose images run
    // the network on every Linux node.
    let network = c.network.get();
    if n.name.as_str() == first && !network.images(&c.versions).0.is_empty() {
        for name in network.components() {
            if let Some(version) = c.versions.of(name) {
                components.insert((*name).to_owned(), version.to_owned());
            }
        }
    }
    for id in crate::render::node_downloads(c, n, first) {
        let d = c.downloads.get(id);
        match d.component.as_deref() {
            None | Some("kubernetes") => {}
            Some(component) => {
                components.insert(component.to_owned(), d.version.clone());
            }
        }
    }
    NodeFacts {
        kubernetes_version: c.kubernetes_version.to_string(),
        container_runtime: c.runtime.to_string(),
        os_release: match &n.os {
            NodeOs::Linux(distro) => distro.to_string(),
            NodeOs::Windows(release) => release.to_string(),
        },
        interface: n.interface.clone(),
        roles: n.roles.iter().map(ToString::to_string).collect(),
        labels: n.labels.iter().cloned().collect(),
        taints: n.taints.clone(),
        components,
    }
}
