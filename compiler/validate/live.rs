//! Rules that judge a spec against the live cluster its state records (`state::ClusterFacts`,
//! format 5): what a running cluster cannot change at all (KP060), and a Kubernetes version
//! that kubeadm cannot upgrade the cluster to from the recorded one (KP061). A state
//! written before it recorded the facts (format 4 and older) is judged by nothing here.

use crate::diagnostic::Span;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::KubeVersion;
use crate::spec::Spec;
use crate::state::{ClusterFacts, State};

/// Every rule of this module.
pub fn check(spec: &Spec, prior: Option<&State>, diags: &mut Diagnostics) {
    let Some(recorded) = prior.and_then(|s| s.facts.as_ref()) else {
        return;
    };
    check_fixed(spec, recorded, diags);
    check_version_step(spec, recorded, diags);
}

/// A value the running cluster was built with, and why it cannot change under it.
struct Fixed {
    attribute: &'static str,
    recorded: String,
    wanted: String,
    span: Span,
    why: &'static str,
}

/// Why neither the network plugin nor its mode can change.
const NETWORK: &str = "every node's pod network (its CNI config, its HNS network on Windows) is set up when it joins; another network means draining and rebuilding every node";

/// KP060: the network and the control-plane endpoint are set when the cluster is created.
fn check_fixed(spec: &Spec, recorded: &ClusterFacts, diags: &mut Diagnostics) {
    let c = &spec.cluster;
    let n = &c.network;
    let fixed = [
        Fixed {
            attribute: "cluster_cidr",
            recorded: recorded.cluster_cidr.clone(),
            wanted: n.cluster_cidr.value.to_string(),
            span: n.cluster_cidr.span.clone(),
            why: "kube-controller-manager's --cluster-cidr, every node's pod subnet, route and CNI config and every running pod's address come from it",
        },
        Fixed {
            attribute: "node_cidr_mask",
            recorded: recorded.node_cidr_mask.to_string(),
            wanted: n.node_cidr_mask.value.to_string(),
            span: n.node_cidr_mask.span.clone(),
            why: "each joined node keeps the pod subnet it was given (its spec.podCIDR cannot be changed)",
        },
        Fixed {
            attribute: "service_cidr",
            recorded: recorded.service_cidr.clone(),
            wanted: n.service_cidr.value.to_string(),
            span: n.service_cidr.span.clone(),
            why: "kube-apiserver's --service-cluster-ip-range: every Service's ClusterIP comes from it, and the kubernetes Service's address is in the API server certificate kubeadm made",
        },
        Fixed {
            attribute: "plugin",
            recorded: recorded.network_plugin.clone(),
            wanted: n.plugin.value.to_string(),
            span: n.plugin.span.clone(),
            why: NETWORK,
        },
        Fixed {
            attribute: "mode",
            recorded: recorded.network_mode.clone(),
            wanted: n.mode.value.to_string(),
            span: n.mode.span.clone(),
            why: NETWORK,
        },
        Fixed {
            attribute: "control_plane_endpoint",
            recorded: recorded.control_plane_endpoint.clone(),
            wanted: c.control_plane_endpoint.value.to_string(),
            span: c.control_plane_endpoint.span.clone(),
            why: "it is in the API server certificate and in every joined node's kubelet.conf",
        },
    ];
    for f in fixed {
        if f.recorded == f.wanted {
            continue;
        }
        diags.push(
            Diagnostic::error(
                Code::LiveChange,
                Some(f.span),
                format!(
                    "the running cluster was built with {} = \"{}\" (recorded in the state) and the spec says \"{}\": a live cluster cannot change it, because {}",
                    f.attribute, f.recorded, f.wanted, f.why
                ),
            )
            .with_help(format!(
                "keep {} = \"{}\"; for a cluster built anew with the new value, give it a state and out dir of its own (--state FILE --out DIR)",
                f.attribute, f.recorded
            )),
        );
    }
}

/// KP061: kubeadm upgrades a control plane one minor at a time, and kubeplan plans no
/// downgrade. kubeadm's own check: `MaximumAllowedMinorVersionUpgradeSkew = 1` in
/// kubernetes/kubernetes cmd/kubeadm/app/phases/upgrade/policy.go.
fn check_version_step(spec: &Spec, recorded: &ClusterFacts, diags: &mut Diagnostics) {
    let Ok(from) = recorded.kubernetes_version.parse::<KubeVersion>() else {
        return; // a state edited by hand: nothing to judge by
    };
    let to = &spec.cluster.kubernetes_version;
    let error = |message: String, help: String| {
        Diagnostic::error(Code::UpgradeStep, Some(to.span.clone()), message).with_help(help)
    };
    if to.value < from {
        diags.push(error(
            format!(
                "the cluster runs Kubernetes {from} (recorded in the state) and the spec says {}: kubeplan plans no downgrade",
                to.value
            ),
            format!(
                "keep kubernetes_version = \"{from}\" or a later release; Kubernetes supports upgrades only (etcd and the API objects it stores are written by the newer release), so going back means restoring an etcd backup taken before the upgrade"
            ),
        ));
        return;
    }
    if to.value.major != from.major || to.value.minor > from.minor + 1 {
        let between: Vec<String> = (from.minor + 1..to.value.minor)
            .map(|m| {
                let v = KubeVersion::new(from.major, m, 0);
                match crate::releases::matrix().minor(v) {
                    Some(row) => format!("{}.{}.{}", from.major, m, row.latest_patch),
                    None => format!("{}.{}", from.major, m),
                }
            })
            .collect();
        let first = between.first().cloned().unwrap_or_default();
        diags.push(error(
            format!(
                "the cluster runs Kubernetes {from} (recorded in the state) and the spec says {}: kubeadm upgrades one minor release at a time, and this skips {}",
                to.value,
                between.join(", ")
            ),
            format!(
                "set kubernetes_version = \"{first}\" and apply (then upgrade the nodes) first, then each later minor in turn (docs/lifecycle.md)"
            ),
        ));
    }
}
