//! Rules about the cloud the machines run in: the `cloud` block and each node's
//! `instance_id`, which the cloud network script (`_cluster/cloud-network.sh`) needs.
//!
//! In the routed modes (host-gw, l3-upstream) the cloud network drops pod traffic unless
//! it is told about it (seeds 000 and 001): AWS checks source/destination addresses, GCE
//! and Azure forward only what their routes name.

use crate::cluster::Cloud;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::Platform;
use crate::spec::{CloudSpec, NodeSpec, Spanned, Spec};

/// A GCE route name is a resource name: at most 63 characters.
const GCE_NAME_MAX: usize = 63;

pub(super) fn check(spec: &Spec, diags: &mut Diagnostics) {
    let c = &spec.cluster;
    let platform = c.platform.value;
    if let Some(cloud) = &c.cloud {
        check_block(platform, cloud, diags);
    }
    let routed = c.network.mode.value.routed();
    if platform == Platform::Azure && routed {
        check_azure_names(spec, diags);
    }
    for n in &spec.nodes {
        if let Some(id) = &n.instance_id {
            check_instance_id(platform, n, id, diags);
        }
        if platform == Platform::Gce && routed {
            let route =
                crate::cluster::gce_route_name(c.name.value.as_str(), n.name.value.as_str());
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
}

/// The cloud block with its defaults filled in.
pub(super) fn build(spec: &Spec) -> Cloud {
    let c = &spec.cluster;
    let get = |f: fn(&CloudSpec) -> &Option<Spanned<String>>| {
        c.cloud
            .as_ref()
            .and_then(|b| f(b).as_ref())
            .map(|s| s.value.clone())
    };
    Cloud {
        network: get(|b| &b.network).unwrap_or_else(|| "default".to_owned()),
        resource_group: get(|b| &b.resource_group).unwrap_or_default(),
        virtual_network: get(|b| &b.virtual_network).unwrap_or_default(),
        subnet: get(|b| &b.subnet).unwrap_or_default(),
        route_table: get(|b| &b.route_table).unwrap_or_else(|| format!("{}-pods", c.name.value)),
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
    let attrs = [
        ("network", &cloud.network, Platform::Gce),
        ("resource_group", &cloud.resource_group, Platform::Azure),
        ("virtual_network", &cloud.virtual_network, Platform::Azure),
        ("subnet", &cloud.subnet, Platform::Azure),
        ("route_table", &cloud.route_table, Platform::Azure),
    ];
    for (name, value, owner) in attrs {
        let Some(value) = value else { continue };
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

/// Azure routes need the resource group, and the virtual network and subnet the route
/// table is associated with; there is no default for them.
fn check_azure_names(spec: &Spec, diags: &mut Diagnostics) {
    let c = &spec.cluster;
    let cloud = c.cloud.as_ref();
    let missing: Vec<&str> = [
        (
            "resource_group",
            cloud.and_then(|b| b.resource_group.as_ref()),
        ),
        (
            "virtual_network",
            cloud.and_then(|b| b.virtual_network.as_ref()),
        ),
        ("subnet", cloud.and_then(|b| b.subnet.as_ref())),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_none())
    .map(|(name, _)| name)
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

fn check_instance_id(
    platform: Platform,
    n: &NodeSpec,
    id: &Spanned<String>,
    diags: &mut Diagnostics,
) {
    let name = n.name.value.as_str();
    let problem = match platform {
        Platform::Aws if !is_ec2_instance_id(&id.value) => {
            Some("an EC2 instance id is i- and 8 or 17 hex digits, e.g. \"i-0abc123def4567890\"")
        }
        Platform::Gce if !is_gce_name(&id.value) => {
            Some("a GCE VM name is a lowercase DNS label of at most 63 characters")
        }
        Platform::Azure if !is_cloud_name(&id.value) => {
            Some("an Azure VM name uses letters, digits, '.', '_' and '-'")
        }
        Platform::Aws | Platform::Gce | Platform::Azure => None,
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

fn is_ec2_instance_id(s: &str) -> bool {
    s.strip_prefix("i-").is_some_and(|hex| {
        matches!(hex.len(), 8 | 17)
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
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

/// A name the cloud CLIs take as a value, never as an option: it starts with a letter or
/// digit.
fn is_cloud_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.len() <= 80
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec2_instance_ids_have_8_or_17_hex_digits() {
        assert!(is_ec2_instance_id("i-0abc123def4567890"));
        assert!(is_ec2_instance_id("i-1234abcd"));
        assert!(!is_ec2_instance_id("i-1234abc"));
        assert!(!is_ec2_instance_id("i-0ABC123DEF4567890"));
        assert!(!is_ec2_instance_id("0abc123def4567890"));
    }

    #[test]
    fn gce_names_are_lowercase_labels() {
        assert!(is_gce_name("win-1"));
        assert!(!is_gce_name("Win-1"));
        assert!(!is_gce_name("1win"));
        assert!(!is_gce_name("win-"));
        assert!(!is_cloud_name("rg; rm -rf /"));
        assert!(!is_cloud_name("--help"));
    }
}
