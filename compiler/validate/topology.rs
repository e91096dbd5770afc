//! Rules about roles across the cluster (seeds 000 and 001: the control plane and etcd
//! run on Linux, and at least one Linux worker carries DNS, ingress and metrics).

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{Os, Role};
use crate::spec::{NodeSpec, Spec};

pub(super) fn check(spec: &Spec, diags: &mut Diagnostics) {
    let linux: Vec<&NodeSpec> = spec
        .nodes
        .iter()
        .filter(|n| n.os.value == Os::Linux)
        .collect();
    let has = |n: &NodeSpec, role: Role| n.roles.value.iter().any(|r| r.value == role);
    let cluster_span = Some(spec.cluster.name.span.clone());

    if !linux
        .iter()
        .any(|n| has(n, Role::ControlPlane) && has(n, Role::Etcd))
    {
        diags.push(
            Diagnostic::error(Code::NoControlPlane, cluster_span.clone(), "no Linux node has both the controlplane and etcd roles")
                .with_help("the first node must be a Linux node with roles = [\"controlplane\", \"etcd\", \"worker\"] (seed 001's recommended architecture)"),
        );
    }
    if !linux.iter().any(|n| has(n, Role::Worker)) {
        diags.push(
            Diagnostic::error(Code::NoLinuxWorker, cluster_span, "no Linux node has the worker role")
                .with_help("add a Linux worker: DNS, ingress, metrics server and the cluster agent run only on Linux (seed 001)"),
        );
    }
    for n in &linux {
        check_stacked_etcd(n, diags);
    }
    let control_planes: Vec<&&NodeSpec> = linux
        .iter()
        .filter(|n| has(n, Role::ControlPlane))
        .collect();
    if control_planes.len() > 1 {
        check_ha(spec, &control_planes, diags);
    }
}

/// Several control-plane nodes: they sit behind `control_plane_endpoint` (a load balancer
/// or DNS name), and their stacked etcd members should be odd in number.
fn check_ha(spec: &Spec, control_planes: &[&&NodeSpec], diags: &mut Diagnostics) {
    let endpoint = &spec.cluster.control_plane_endpoint;
    if let Some(n) = control_planes
        .iter()
        .find(|n| n.address.value.to_string() == endpoint.value.host)
    {
        diags.push(
            Diagnostic::error(
                Code::HaEndpoint,
                Some(endpoint.span.clone()),
                format!(
                    "control_plane_endpoint {} is the address of control-plane node {:?}, one of {}",
                    endpoint.value,
                    n.name.value.as_str(),
                    control_planes.len()
                ),
            )
            .with_help("with several control-plane nodes, point control_plane_endpoint at a load balancer or DNS name in front of all of them, or the cluster goes down with that one node"),
        );
    }
    let members = control_planes.len();
    if members.is_multiple_of(2) {
        diags.push(
            Diagnostic::warning(
                Code::EtcdQuorum,
                Some(control_planes[members - 1].roles.span.clone()),
                format!(
                    "{members} etcd members: an even count tolerates no more failures than {}",
                    members - 1
                ),
            )
            .with_help("etcd needs a majority; run 3 or 5 control-plane nodes"),
        );
    }
}

/// kubeadm's stacked topology runs an etcd member on every control-plane node and nowhere else.
fn check_stacked_etcd(n: &NodeSpec, diags: &mut Diagnostics) {
    let roles: Vec<Role> = n.roles.value.iter().map(|r| r.value).collect();
    let cp = roles.contains(&Role::ControlPlane);
    let etcd = roles.contains(&Role::Etcd);
    if cp == etcd {
        return;
    }
    let (has, lacks) = if cp {
        ("controlplane", "etcd")
    } else {
        ("etcd", "controlplane")
    };
    diags.push(
        Diagnostic::error(
            Code::Roles,
            Some(n.roles.span.clone()),
            format!("node {:?} has the {has} role without {lacks}", n.name.value.as_str()),
        )
        .with_help("kubeadm runs etcd stacked on each control-plane node: give the node both controlplane and etcd"),
    );
}
