//! Rules about one node at a time, and about names and addresses being unique.

use std::collections::BTreeMap;

use crate::cluster::NodeOs;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{Os, Role, Runtime};
use crate::spec::{NodeSpec, Spec};

/// NetBIOS names are at most 15 characters; Windows truncates longer hostnames.
const NETBIOS_MAX: usize = 15;
/// `IFNAMSIZ - 1`: the longest Linux interface name.
const LINUX_IFNAME_MAX: usize = 15;
/// The longest Windows adapter name (`ifAlias`).
const WINDOWS_IFNAME_MAX: usize = 255;

/// Checks one node; returns its OS with what the OS needs, when that part is valid.
pub(super) fn check_node(spec: &Spec, n: &NodeSpec, diags: &mut Diagnostics) -> Option<NodeOs> {
    check_roles(n, diags);
    check_interface(n, diags);
    match n.os.value {
        Os::Linux => linux_os(n, diags),
        Os::Windows => windows_os(spec, n, diags),
    }
}

fn linux_os(n: &NodeSpec, diags: &mut Diagnostics) -> Option<NodeOs> {
    if let Some(v) = &n.windows_version {
        diags.push(
            Diagnostic::error(
                Code::OsAttributes,
                Some(v.span.clone()),
                format!(
                    "linux node {:?} sets windows_version",
                    n.name.value.as_str()
                ),
            )
            .with_help("remove windows_version, or set os = \"windows\""),
        );
    }
    match &n.distro {
        Some(d) => Some(NodeOs::Linux(d.value.clone())),
        None => {
            diags.push(
                Diagnostic::error(
                    Code::OsAttributes,
                    Some(n.name.span.clone()),
                    format!("linux node {:?} has no distro", n.name.value.as_str()),
                )
                .with_help("add distro = \"ubuntu-22.04\" (FAMILY-VERSION)"),
            );
            None
        }
    }
}

fn windows_os(spec: &Spec, n: &NodeSpec, diags: &mut Diagnostics) -> Option<NodeOs> {
    let name = n.name.value.as_str();
    if let Some(d) = &n.distro {
        diags.push(
            Diagnostic::error(
                Code::OsAttributes,
                Some(d.span.clone()),
                format!("windows node {name:?} sets distro"),
            )
            .with_help("Windows nodes name their release with windows_version; remove distro"),
        );
    }
    if name.len() > NETBIOS_MAX {
        diags.push(
            Diagnostic::warning(
                Code::WindowsHostname,
                Some(n.name.span.clone()),
                format!("windows node name {name:?} is longer than {NETBIOS_MAX} characters"),
            )
            .with_help("Windows truncates its NetBIOS name to 15 characters; the node's hostname must match the node name"),
        );
    }
    let Some(version) = &n.windows_version else {
        diags.push(
            Diagnostic::error(Code::OsAttributes, Some(n.name.span.clone()), format!("windows node {name:?} has no windows_version"))
                .with_help("add windows_version = \"ltsc2019\"; containers must match the host's build (seed 004)"),
        );
        return None;
    };
    let runtime = spec.cluster.container_runtime.value;
    if runtime == Runtime::Containerd && !version.value.supports_containerd() {
        diags.push(
            Diagnostic::error(
                Code::Unsupported,
                Some(version.span.clone()),
                format!("containerd on Windows needs Windows Server 1809 or later, not {}", version.value),
            )
            .with_help("use ltsc2019 (1809) or later; Rancher also requires 1809+ for Windows containers (seed 000)"),
        );
    }
    Some(NodeOs::Windows(version.value))
}

fn check_roles(n: &NodeSpec, diags: &mut Diagnostics) {
    let name = n.name.value.as_str();
    let roles = &n.roles.value;
    if roles.is_empty() {
        diags.push(
            Diagnostic::error(
                Code::Roles,
                Some(n.roles.span.clone()),
                format!("node {name:?} has no roles"),
            )
            .with_help("give it roles = [\"worker\"] or [\"controlplane\", \"etcd\", \"worker\"]"),
        );
    }
    for (i, role) in roles.iter().enumerate() {
        if roles[..i].iter().any(|r| r.value == role.value) {
            diags.push(
                Diagnostic::error(
                    Code::Roles,
                    Some(role.span.clone()),
                    format!("role {:?} is listed twice", role.value.as_str()),
                )
                .with_help("list each role once"),
            );
        }
    }
    if n.os.value == Os::Windows {
        for role in roles.iter().filter(|r| r.value != Role::Worker) {
            diags.push(
                Diagnostic::error(
                    Code::WindowsRole,
                    Some(role.span.clone()),
                    format!("windows node {name:?} cannot have role {:?}", role.value.as_str()),
                )
                .with_help("Windows nodes are workers only; move the control plane and etcd to a Linux node"),
            );
        }
    }
}

fn check_interface(n: &NodeSpec, diags: &mut Diagnostics) {
    let name = &n.interface.value;
    let (ok, max, rule) = match n.os.value {
        Os::Linux => (
            name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')),
            LINUX_IFNAME_MAX,
            "Linux interface names are letters, digits, '_', '.' and '-', like ens192 or eth0",
        ),
        Os::Windows => (
            name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '.' | '-' | '(' | ')' | '#')),
            WINDOWS_IFNAME_MAX,
            "Windows adapter names are letters, digits, spaces and _ . - ( ) #, like \"Ethernet0\" or \"Ethernet 2\"",
        ),
    };
    let well_formed =
        ok && !name.is_empty() && name.chars().count() <= max && name.trim() == name.as_str();
    if !well_formed {
        diags.push(
            Diagnostic::error(
                Code::InterfaceName,
                Some(n.interface.span.clone()),
                format!(
                    "interface {name:?} of node {:?} is not a valid {} interface name",
                    n.name.value.as_str(),
                    n.os.value
                ),
            )
            .with_help(format!("{rule}; at most {max} characters")),
        );
    }
}

/// Two nodes with one name or one address.
pub(super) fn check_unique(nodes: &[NodeSpec], diags: &mut Diagnostics) {
    let mut names = BTreeMap::new();
    let mut addresses = BTreeMap::new();
    for n in nodes {
        if let Some(first) = names.insert(n.name.value.clone(), n) {
            diags.push(
                Diagnostic::error(Code::DuplicateNode, Some(n.name.span.clone()), format!("node name {:?} is used twice", n.name.value.as_str()))
                    .with_help(format!("node names are unique; rename one of the two (the other is the node block for {:?})", first.name.value.as_str())),
            );
        }
        if let Some(first) = addresses.insert(n.address.value, n) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateNode,
                    Some(n.address.span.clone()),
                    format!(
                        "address {} of node {:?} is also node {:?}'s",
                        n.address.value,
                        n.name.value.as_str(),
                        first.name.value.as_str()
                    ),
                )
                .with_help("every node needs its own address"),
            );
        }
    }
}
