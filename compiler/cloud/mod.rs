//! `cloud`: the clouds whose network must be told about pod subnets (seeds 000 and 001),
//! as one closed type. Each cloud is a module of its own that owns its `cloud` block
//! attributes and their defaults, its rules, how it names a node's machine and route, and
//! its partial of `cloud-network.sh` (`templates/cluster/cloud/NAME.sh`).

mod aws;
mod azure;
mod gce;

pub use aws::Aws;
pub use azure::Azure;
pub use gce::Gce;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::Platform;
use crate::spec::{CloudSpec, NodeSpec, Spanned, Spec};

/// A cloud platform with its settings.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(untagged)]
pub enum Cloud {
    Aws(aws::Aws),
    Gce(gce::Gce),
    Azure(azure::Azure),
}

/// What a cloud is and does; each cloud's settings type implements it.
pub trait Provider {
    /// The partial of `cloud-network.sh`: `templates/cluster/cloud/NAME.sh`.
    fn partial(&self) -> &'static str;

    /// The node's machine as the cloud script names it: `instance_id` from the spec, or
    /// the cloud's default for the node.
    fn instance(&self, node: &str, instance_id: Option<&str>) -> String;

    /// The name of the node's pod route, which the cloud script creates and deletes.
    fn route(&self, cluster: &str, node: &str) -> String;
}

/// The names of `cloud` block attributes, with the platform each belongs to.
const ATTRIBUTES: [(&[&str], Platform); 2] = [
    (gce::ATTRIBUTES, Platform::Gce),
    (azure::ATTRIBUTES, Platform::Azure),
];

impl Cloud {
    /// The cloud of the spec's platform, defaults filled in; `None` off the clouds.
    pub fn of(spec: &Spec) -> Option<Cloud> {
        let c = &spec.cluster;
        match c.platform.value {
            Platform::Aws => Some(Cloud::Aws(aws::Aws)),
            Platform::Gce => Some(Cloud::Gce(gce::Gce::new(c.cloud.as_ref()))),
            Platform::Azure => Some(Cloud::Azure(azure::Azure::new(
                c.name.value.as_str(),
                c.cloud.as_ref(),
            ))),
            Platform::BareMetal | Platform::Vsphere => None,
        }
    }

    /// The cloud's own type.
    pub fn get(&self) -> &dyn Provider {
        match self {
            Cloud::Aws(c) => c,
            Cloud::Gce(c) => c,
            Cloud::Azure(c) => c,
        }
    }
}

/// The rules about the cloud: the `cloud` block, each node's `instance_id`, and what the
/// cloud's routes need in the routed modes (host-gw, l3-upstream), where the cloud network
/// drops pod traffic unless it is told about it: AWS checks source and destination
/// addresses, GCE and Azure forward only what their routes name.
pub fn check(spec: &Spec, diags: &mut Diagnostics) {
    let c = &spec.cluster;
    let platform = c.platform.value;
    if let Some(cloud) = &c.cloud {
        check_block(platform, cloud, diags);
    }
    let routed = c.network.mode.value.routes_pod_subnets();
    for n in &spec.nodes {
        if let Some(id) = &n.instance_id {
            check_instance_id(platform, n, id, diags);
        }
    }
    if routed {
        match platform {
            Platform::Gce => gce::check_routed(spec, diags),
            Platform::Azure => azure::check_routed(spec, diags),
            Platform::Aws | Platform::BareMetal | Platform::Vsphere => {}
        }
    }
}

fn check_block(platform: Platform, cloud: &CloudSpec, diags: &mut Diagnostics) {
    if !platform.is_cloud() {
        diags.push(
            Diagnostic::error(
                Code::Cloud,
                Some(cloud.header.clone()),
                format!("platform {platform} has no cloud settings"),
            )
            .with_help("remove the cloud block, or set platform to \"aws\", \"gce\" or \"azure\""),
        );
        return;
    }
    for (names, owner) in ATTRIBUTES {
        for name in names {
            let Some(value) = cloud.attribute(name) else {
                continue;
            };
            if platform != owner {
                diags.push(
                    Diagnostic::error(
                        Code::Cloud,
                        Some(value.span.clone()),
                        format!("cloud.{name} applies to platform = \"{owner}\" only"),
                    )
                    .with_help(format!("remove {name}; platform is \"{platform}\"")),
                );
            } else if !is_cloud_name(&value.value) {
                diags.push(
                    Diagnostic::error(
                        Code::Cloud,
                        Some(value.span.clone()),
                        format!(
                            "cloud.{name} {:?} is not a {owner} resource name",
                            value.value
                        ),
                    )
                    .with_help("use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 80 characters"),
                );
            }
        }
    }
}

fn check_instance_id(
    platform: Platform,
    n: &NodeSpec,
    id: &Spanned<String>,
    diags: &mut Diagnostics,
) {
    let name = n.name.value.as_str();
    let problem = match platform {
        Platform::Aws => aws::instance_id_problem(&id.value),
        Platform::Gce => gce::instance_id_problem(&id.value),
        Platform::Azure => azure::instance_id_problem(&id.value),
        Platform::BareMetal | Platform::Vsphere => {
            diags.push(
                Diagnostic::error(
                    Code::Cloud,
                    Some(id.span.clone()),
                    format!("node {name:?} sets instance_id on platform {platform}"),
                )
                .with_help("instance_id names the machine on aws, gce or azure; remove it"),
            );
            return;
        }
    };
    if let Some(help) = problem {
        diags.push(
            Diagnostic::error(
                Code::Cloud,
                Some(id.span.clone()),
                format!(
                    "instance_id {:?} of node {name:?} is not a {platform} machine",
                    id.value
                ),
            )
            .with_help(help),
        );
    }
}

/// A name the cloud CLIs take as a value, never as an option: it starts with a letter or
/// digit.
fn is_cloud_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.len() <= 80
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

/// The value of a `cloud` block attribute, when the spec sets it.
fn setting(cloud: Option<&CloudSpec>, name: &str) -> Option<String> {
    cloud
        .and_then(|b| b.attribute(name))
        .map(|s| s.value.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_names_are_values_never_options() {
        assert!(is_cloud_name("rg-k8s"));
        assert!(!is_cloud_name("rg; rm -rf /"));
        assert!(!is_cloud_name("--help"));
    }
}
