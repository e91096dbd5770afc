//! `validate`: every rule over a [`Spec`], reported together. A spec without errors is
//! then translated into the cluster it describes (`translate`).
//!
//! Rules live by subject: `nodes` (one node at a time and duplicates), `topology`
//! (roles across the cluster), `network` (CIDRs, VXLAN, addresses; each network's own
//! rules are in its module under `network/`), `releases` (what the release matrix
//! says of the Kubernetes release, the Windows releases and the components), `live`
//! (what the running cluster the state records cannot change); the cloud's are under
//! `cloud/`.

mod live;
mod network;
mod nodes;
mod releases;
mod topology;

pub use network::MAX_NODE_CIDR_MASK;

use crate::diagnostic::Diagnostics;
use crate::diagnostic::{Code, Diagnostic};
use crate::spec::Spec;
use crate::state::State;

/// Runs every rule over the spec and returns what they found, sorted. `prior` is the
/// state of the last apply, which keeps Windows support and the cluster's name fixed.
pub fn validate(spec: &Spec, prior: Option<&State>) -> Diagnostics {
    let mut diags = Diagnostics::default();
    check_windows_support_unchanged(spec, prior, &mut diags);
    check_same_cluster(spec, prior, &mut diags);
    live::check(spec, prior, &mut diags);
    for n in &spec.nodes {
        nodes::check_node(spec, n, &mut diags);
    }
    nodes::check_unique(&spec.nodes, &mut diags);
    topology::check(spec, &mut diags);
    network::check(spec, &mut diags);
    crate::cloud::check(spec, &mut diags);
    releases::check(spec, &mut diags);
    diags.sort();
    diags
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
