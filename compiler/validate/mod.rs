//! `validate`: every rule over a [`Spec`], reported together, then the [`Cluster`] it describes.
//!
//! Rules live by subject: `nodes` (one node at a time and duplicates), `topology`
//! (roles across the cluster), `network` (CIDRs, VXLAN, addresses, what is generated).

mod network;
mod nodes;
mod pods;
mod topology;

use crate::cluster::{Cluster, Network, Node, NodeOs, Resources, LINUX_WORKER_TAINT};
use crate::diagnostic::Diagnostics;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::Role;
use crate::spec::{NodeSpec, Spec};
use crate::state::State;

/// What validation gave: the cluster when no rule found an error, and every diagnostic.
#[derive(Debug)]
pub struct Validated {
    pub cluster: Option<Cluster>,
    pub diagnostics: Diagnostics,
}

/// Runs every rule; the cluster is built only when none reports an error. `prior` is
/// the state of the last apply: it keeps pod subnets stable and Windows support fixed.
pub fn validate(spec: &Spec, prior: Option<&State>) -> Validated {
    let mut diags = Diagnostics::default();
    check_windows_support_unchanged(spec, prior, &mut diags);
    check_same_cluster(spec, prior, &mut diags);
    let node_os: Vec<Option<NodeOs>> = spec
        .nodes
        .iter()
        .map(|n| nodes::check_node(spec, n, &mut diags))
        .collect();
    nodes::check_unique(&spec.nodes, &mut diags);
    topology::check(spec, &mut diags);
    network::check(spec, &mut diags);
    crate::cloud::check(spec, &mut diags);
    let pod_cidrs = if diags.has_errors() {
        vec![None; spec.nodes.len()]
    } else {
        pods::allocate(spec, prior, &mut diags)
    };
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
        .zip(pod_cidrs)
        .filter_map(|((n, os), pod_cidr)| Some(build_node(spec, n, os?, pod_cidr)))
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
            kind: crate::network::Kind::select(n.plugin.value, n.mode.value)
                .expect("the network rules refuse a plugin and mode no network runs"),
            cluster_cidr: n.cluster_cidr.value,
            node_cidr_mask: n.node_cidr_mask.value,
            service_cidr: n.service_cidr.value,
            vxlan_vni: n.vxlan_vni.value,
            vxlan_port: n.vxlan_port.value,
        },
        ca_cert_hash: c.ca_cert_hash.as_ref().map(|h| h.value.clone()),
        linux_worker_taint: c.linux_worker_taint.value,
        windows_support: c.windows_support.value,
        cloud: crate::cloud::Cloud::of(spec),
        nodes,
    }
}

fn build_node(spec: &Spec, n: &NodeSpec, os: NodeOs, pod_cidr: Option<ipnet::Ipv4Net>) -> Node {
    let mut taints: Vec<String> = n
        .taints
        .iter()
        .flat_map(|t| t.value.iter().map(|t| t.value.clone()))
        .collect();
    let linux_worker =
        matches!(os, NodeOs::Linux(_)) && n.roles.value.iter().any(|r| r.value == Role::Worker);
    if spec.cluster.linux_worker_taint.value
        && linux_worker
        && !taints.iter().any(|t| t == LINUX_WORKER_TAINT)
    {
        taints.push(LINUX_WORKER_TAINT.to_owned());
    }
    let r = n.resources.as_ref();
    let at_least =
        |v: Option<&crate::spec::Spanned<u32>>, min: u32| v.map_or(min, |v| v.value.max(min));
    Node {
        pod_cidr,
        instance_id: n.instance_id.as_ref().map(|i| i.value.clone()),
        vmxnet3_fix: matches!(os, NodeOs::Linux(_))
            && spec.cluster.platform.value == crate::model::Platform::Vsphere
            && n.vmxnet3_offload_fix.as_ref().is_none_or(|f| f.value),
        labels: n
            .labels
            .as_ref()
            .map(|l| l.value.clone())
            .unwrap_or_default(),
        taints,
        resources: Resources {
            cpus: at_least(r.and_then(|r| r.cpus.as_ref()), nodes::MIN_CPUS),
            memory_gb: at_least(r.and_then(|r| r.memory_gb.as_ref()), nodes::MIN_MEMORY_GB),
            disk_gb: at_least(r.and_then(|r| r.disk_gb.as_ref()), nodes::MIN_DISK_GB),
        },
        name: n.name.value.clone(),
        os,
        roles: n.roles.value.iter().map(|r| r.value).collect(),
        address: n.address.value,
        interface: n.interface.value.clone(),
        management_cidr: network::management_cidr(spec, n),
    }
}

/// A state records the cluster it was applied for; a spec naming another cluster would
/// plan that cluster's artifacts for deletion and write its own over them. A state
/// written before it recorded the name (format 3 and older) takes the spec's.
fn check_same_cluster(spec: &Spec, prior: Option<&State>, diags: &mut Diagnostics) {
    let name = &spec.cluster.name;
    let Some(recorded) = prior.and_then(|s| s.cluster.as_deref()) else {
        return;
    };
    if recorded != name.value.as_str() {
        diags.push(
            Diagnostic::error(
                Code::OtherCluster,
                Some(name.span.clone()),
                format!(
                    "the state belongs to cluster \"{recorded}\", and this spec describes cluster \"{}\"",
                    name.value
                ),
            )
            .with_help(format!(
                "give this cluster a state and out dir of its own (--state FILE --out DIR), or, if it is that cluster, keep its name \"{recorded}\""
            )),
        );
    }
}

/// Seed 001: Windows support is chosen when the cluster is created and cannot be turned
/// on later (the network would have to change under running nodes).
fn check_windows_support_unchanged(spec: &Spec, prior: Option<&State>, diags: &mut Diagnostics) {
    let support = &spec.cluster.windows_support;
    if support.value && prior.and_then(|s| s.windows_support) == Some(false) {
        diags.push(
            Diagnostic::error(
                Code::WindowsSupport,
                Some(support.span.clone()),
                "the cluster was created without Windows support; it cannot be turned on later",
            )
            .with_help("keep windows_support = false, or build a new cluster (new state) with Windows support from the start (seed 001)"),
        );
    }
}
