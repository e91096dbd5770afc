//! Azure: nodes sit on a routed virtual network; each node's NIC needs IP forwarding, and a
//! route table on the nodes' subnet routes each node's pod subnet to the node (seeds 000
//! and 001).

use super::{is_cloud_name, setting, Provider};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::spec::{CloudSpec, Spec};

/// The `cloud` block attributes of Azure.
pub(super) const ATTRIBUTES: &[&str] =
    &["resource_group", "virtual_network", "subnet", "route_table"];

/// Azure's settings.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Azure {
    /// Where the VMs, the virtual network and the route table live.
    pub resource_group: String,
    pub virtual_network: String,
    pub subnet: String,
    /// The route table (`CLUSTER-pods` unless given).
    pub route_table: String,
}

impl Azure {
    pub(super) fn new(cluster: &str, cloud: Option<&CloudSpec>) -> Self {
        Azure {
            resource_group: setting(cloud, "resource_group").unwrap_or_default(),
            virtual_network: setting(cloud, "virtual_network").unwrap_or_default(),
            subnet: setting(cloud, "subnet").unwrap_or_default(),
            route_table: setting(cloud, "route_table").unwrap_or_else(|| format!("{cluster}-pods")),
        }
    }
}

impl Provider for Azure {
    fn partial(&self) -> &'static str {
        "azure"
    }

    /// The VM name: `instance_id`, else the node name.
    fn instance(&self, node: &str, instance_id: Option<&str>) -> String {
        instance_id.unwrap_or(node).to_owned()
    }

    /// A route of the route table is named after its node.
    fn route(&self, _cluster: &str, node: &str) -> String {
        node.to_owned()
    }
}

/// Azure routes need the resource group, and the virtual network and subnet the route
/// table is associated with; there is no default for them.
pub(super) fn check_routed(spec: &Spec, diags: &mut Diagnostics) {
    let c = &spec.cluster;
    let cloud = c.cloud.as_ref();
    let missing: Vec<&str> = ["resource_group", "virtual_network", "subnet"]
        .into_iter()
        .filter(|name| cloud.and_then(|b| b.attribute(name)).is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    let span = cloud.map_or(&c.platform.span, |b| &b.header);
    diags.push(
        Diagnostic::error(
            Code::Cloud,
            Some(span.clone()),
            format!(
                "{} on Azure needs cloud.{}",
                c.network.mode.value,
                missing.join(", cloud.")
            ),
        )
        .with_help("Azure routes each node's pod subnet through a route table on the nodes' subnet (seed 000); add cloud { resource_group = ..., virtual_network = ..., subnet = ... }"),
    );
}

/// What is wrong with an Azure VM name, if anything.
pub(super) fn instance_id_problem(id: &str) -> Option<&'static str> {
    (!is_cloud_name(id)).then_some("an Azure VM name uses letters, digits, '.', '_' and '-'")
}
