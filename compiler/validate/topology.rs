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
    let control_planes: Vec<_> = linux
        .iter()
        .filter(|n| has(n, Role::ControlPlane))
        .collect();
    if let [_, second, ..] = control_planes.as_slice() {
        diags.push(
            Diagnostic::error(
                Code::Unsupported,
                Some(second.name.span.clone()),
                format!("node {:?} would be a second control-plane node", second.name.value.as_str()),
            )
            .with_help("this version of kubeplan generates a single control-plane node; give the others the worker role"),
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
