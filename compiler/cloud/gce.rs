//! GCE: nodes sit on a routed VPC network; each node's pod subnet needs a static route to
//! the node, and the node's VM needs IP forwarding (seeds 000 and 001).

use super::{setting, Provider};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::spec::{CloudSpec, Spec};

/// The `cloud` block attributes of GCE.
pub(super) const ATTRIBUTES: &[&str] = &["network"];
/// A GCE resource name (a route, a VM): at most 63 characters.
const GCE_NAME_MAX: usize = 63;

/// GCE's settings.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Gce {
    /// The VPC network of the routes (`default` unless given).
    pub network: String,
}

impl Gce {
    pub(super) fn new(cloud: Option<&CloudSpec>) -> Self {
        Gce {
            network: setting(cloud, "network").unwrap_or_else(|| "default".to_owned()),
        }
    }
}

impl Provider for Gce {
    fn partial(&self) -> &'static str {
        "gce"
    }

    /// The VM name: `instance_id`, else the node name.
    fn instance(&self, node: &str, instance_id: Option<&str>) -> String {
        instance_id.unwrap_or(node).to_owned()
    }

    fn route(&self, cluster: &str, node: &str) -> String {
        route_name(cluster, node)
    }
}

/// The name of a node's pod route: what the cloud script creates and deletes, and what
/// the rules keep within GCE's 63 characters.
fn route_name(cluster: &str, node: &str) -> String {
    format!("kubeplan-{cluster}-{node}")
}

/// Every node's route name fits GCE's limit.
pub(super) fn check_routed(spec: &Spec, diags: &mut Diagnostics) {
    let cluster = spec.cluster.name.value.as_str();
    for n in &spec.nodes {
        let route = route_name(cluster, n.name.value.as_str());
        if route.len() > GCE_NAME_MAX {
            diags.push(
                Diagnostic::error(
                    Code::Cloud,
                    Some(n.name.span.clone()),
                    format!("the GCE route {route:?} is longer than {GCE_NAME_MAX} characters"),
                )
                .with_help(
                    "GCE names routes kubeplan-CLUSTER-NODE; shorten the cluster or node name",
                ),
            );
        }
    }
}

/// What is wrong with a GCE VM name, if anything.
pub(super) fn instance_id_problem(id: &str) -> Option<&'static str> {
    (!is_gce_name(id)).then_some("a GCE VM name is a lowercase DNS label of at most 63 characters")
}

fn is_gce_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= GCE_NAME_MAX
        && b[0].is_ascii_lowercase()
        && !s.ends_with('-')
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gce_names_are_lowercase_labels() {
        assert!(is_gce_name("win-1"));
        assert!(!is_gce_name("Win-1"));
        assert!(!is_gce_name("1win"));
        assert!(!is_gce_name("win-"));
    }
}
