//! Rules about one node at a time, and about names and addresses being unique.

use std::collections::BTreeMap;

use crate::cluster::{MIN_CPUS, MIN_DISK_GB, MIN_MEMORY_GB};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{Os, Role};
use crate::spec::{NodeSpec, Spec};

/// NetBIOS names are at most 15 characters; Windows truncates longer hostnames.
const NETBIOS_MAX: usize = 15;
/// `IFNAMSIZ - 1`: the longest Linux interface name.
const LINUX_IFNAME_MAX: usize = 15;
/// The longest Windows adapter name (`ifAlias`).
const WINDOWS_IFNAME_MAX: usize = 255;

/// Checks one node.
pub(super) fn check_node(spec: &Spec, n: &NodeSpec, diags: &mut Diagnostics) {
    check_roles(n, diags);
    check_interface(n, diags);
    check_labels(n, diags);
    check_taints(n, diags);
    check_resources(n, diags);
    match n.os.value {
        Os::Linux => linux_os(spec, n, diags),
        Os::Windows => windows_os(spec, n, diags),
    }
}

fn linux_os(spec: &Spec, n: &NodeSpec, diags: &mut Diagnostics) {
    if let (Some(fix), Some(distro)) = (&n.vmxnet3_offload_fix, &n.distro) {
        check_vmxnet3_opt_out(spec, n, fix, &distro.value, diags);
    }
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
    if n.distro.is_none() {
        diags.push(
            Diagnostic::error(
                Code::OsAttributes,
                Some(n.name.span.clone()),
                format!("linux node {:?} has no distro", n.name.value.as_str()),
            )
            .with_help("add distro = \"ubuntu-22.04\" (FAMILY-VERSION)"),
        );
    }
}

fn windows_os(spec: &Spec, n: &NodeSpec, diags: &mut Diagnostics) {
    let name = n.name.value.as_str();
    let support = &spec.cluster.windows_support;
    if !support.value {
        diags.push(
            Diagnostic::error(
                Code::WindowsSupport,
                Some(n.os.span.clone()),
                format!("windows node {name:?} in a cluster with windows_support = false"),
            )
            .with_help("Windows support is chosen when the cluster is created (seed 001): create a new cluster with windows_support = true for Windows nodes"),
        );
    }
    if let Some(fix) = &n.vmxnet3_offload_fix {
        diags.push(
            Diagnostic::error(
                Code::OsAttributes,
                Some(fix.span.clone()),
                format!("windows node {name:?} sets vmxnet3_offload_fix"),
            )
            .with_help("the vmxnet3 offload unit is for Linux nodes; remove the attribute"),
        );
    }
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
    if n.windows_version.is_none() {
        diags.push(
            Diagnostic::error(Code::OsAttributes, Some(n.name.span.clone()), format!("windows node {name:?} has no windows_version"))
                .with_help("add windows_version = \"ltsc2022\"; containers must match the host's build (seed 004)"),
        );
    }
}

/// `vmxnet3_offload_fix = false`: refused where seed 001 says the bug drops overlay
/// packets, pointless off vSphere.
fn check_vmxnet3_opt_out(
    spec: &Spec,
    n: &NodeSpec,
    fix: &crate::spec::Spanned<bool>,
    distro: &crate::model::Distro,
    diags: &mut Diagnostics,
) {
    if fix.value {
        return;
    }
    let name = n.name.value.as_str();
    if spec.cluster.platform.value != crate::model::Platform::Vsphere {
        diags.push(
            Diagnostic::warning(
                Code::Vmxnet3,
                Some(fix.span.clone()),
                format!("vmxnet3_offload_fix on node {name:?} has no effect off vSphere"),
            )
            .with_help(
                "the unit is only generated for platform = \"vsphere\"; remove the attribute",
            ),
        );
    } else if distro.has_vmxnet3_offload_bug() {
        diags.push(
            Diagnostic::error(
                Code::Vmxnet3,
                Some(fix.span.clone()),
                format!("node {name:?} runs {distro}, which needs the vmxnet3 offload fix on vSphere"),
            )
            .with_help("on ESXi 6.7u2 and later, RHEL/CentOS 8.3+ and SLES 15 SP2+ enable vmxnet3 hardware offload, whose bug drops overlay packets between nodes (seed 001); keep the fix"),
        );
    }
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
            "Linux interface names are letters, digits, '_', '.' and '-', starting with a letter or digit (a leading '-' reads as an option to ethtool and ip), like ens192 or eth0",
        ),
        Os::Windows => (
            name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '.' | '-' | '(' | ')' | '#')),
            WINDOWS_IFNAME_MAX,
            "Windows adapter names are letters, digits, spaces and _ . - ( ) #, starting with a letter or digit, like \"Ethernet0\" or \"Ethernet 2\"",
        ),
    };
    let well_formed = ok
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().count() <= max
        && name.trim() == name.as_str();
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

/// Label prefixes under kubernetes.io and k8s.io that the NodeRestriction admission
/// plugin lets a kubelet set on its own node.
const KUBELET_LABEL_PREFIXES: [&str; 2] = ["kubelet.kubernetes.io", "node.kubernetes.io"];
const KUBELET_LABEL_KEYS: [&str; 2] = [
    "topology.kubernetes.io/region",
    "topology.kubernetes.io/zone",
];

fn check_labels(n: &NodeSpec, diags: &mut Diagnostics) {
    let Some(labels) = &n.labels else { return };
    for (key, value) in &labels.value {
        let problem = qualified_name(key)
            .map_err(|why| format!("label key {key:?} {why}"))
            .and_then(|()| {
                label_value(value)
                    .map_err(|why| format!("label {key:?} has value {value:?}, which {why}"))
            })
            .and_then(|()| kubelet_may_set(key));
        if let Err(message) = problem {
            diags.push(
                Diagnostic::error(Code::Labels, Some(labels.span.clone()), message).with_help(
                    "label keys are [PREFIX/]NAME, names and values at most 63 letters, digits, '-', '_' or '.'; \
                     the kubelet may set kubernetes.io labels only under kubelet.kubernetes.io/ and node.kubernetes.io/",
                ),
            );
        }
    }
}

fn kubelet_may_set(key: &str) -> Result<(), String> {
    let Some((prefix, _)) = key.split_once('/') else {
        return Ok(());
    };
    let restricted = ["kubernetes.io", "k8s.io"]
        .iter()
        .any(|d| prefix == *d || prefix.ends_with(&format!(".{d}")));
    let allowed = KUBELET_LABEL_PREFIXES
        .iter()
        .any(|p| prefix == *p || prefix.ends_with(&format!(".{p}")))
        || KUBELET_LABEL_KEYS.contains(&key);
    if restricted && !allowed {
        let why = if prefix == "node-role.kubernetes.io" {
            "node-role labels cannot be set by the kubelet (NodeRestriction); add them with kubectl label after the join"
        } else {
            "the kubelet may not set labels under kubernetes.io or k8s.io (NodeRestriction), and sets kubernetes.io/os, arch and hostname itself"
        };
        return Err(format!("label {key:?}: {why}"));
    }
    Ok(())
}

/// A Kubernetes qualified name: `[DNS-subdomain/]name`.
fn qualified_name(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        let ok = !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !part.starts_with('-')
                    && !part.ends_with('-')
            });
        if !ok {
            return Err("has a prefix that is not a lowercase DNS subdomain".to_owned());
        }
    }
    if name.is_empty() {
        return Err("has an empty name".to_owned());
    }
    label_value(name)
}

/// A label value: empty, or at most 63 of `[A-Za-z0-9._-]`, starting and ending alphanumeric.
fn label_value(v: &str) -> Result<(), String> {
    if v.is_empty() {
        return Ok(());
    }
    let chars_ok = v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let ends_ok = v.starts_with(|c: char| c.is_ascii_alphanumeric())
        && v.ends_with(|c: char| c.is_ascii_alphanumeric());
    if v.len() > 63 || !chars_ok || !ends_ok {
        return Err("is not 1 to 63 letters, digits, '-', '_' or '.' starting and ending with a letter or digit".to_owned());
    }
    Ok(())
}

/// The effects a taint may have.
pub const TAINT_EFFECTS: [&str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/// Parses `KEY[=VALUE]:EFFECT`.
pub fn parse_taint(t: &str) -> Result<(), String> {
    let (kv, effect) = t
        .rsplit_once(':')
        .ok_or_else(|| format!("taint {t:?} has no :EFFECT"))?;
    if !TAINT_EFFECTS.contains(&effect) {
        return Err(format!(
            "taint {t:?} has effect {effect:?}; use {}",
            TAINT_EFFECTS.join(", ")
        ));
    }
    let (key, value) = kv.split_once('=').unwrap_or((kv, ""));
    qualified_name(key).map_err(|why| format!("taint key {key:?} {why}"))?;
    label_value(value).map_err(|why| format!("taint value {value:?} {why}"))
}

fn check_taints(n: &NodeSpec, diags: &mut Diagnostics) {
    let Some(taints) = &n.taints else { return };
    for t in &taints.value {
        if let Err(message) = parse_taint(&t.value) {
            diags.push(
                Diagnostic::error(Code::Taints, Some(t.span.clone()), message)
                    .with_help("write taints as \"KEY=VALUE:EFFECT\" or \"KEY:EFFECT\", e.g. \"dedicated=gpu:NoSchedule\""),
            );
        }
    }
}

fn check_resources(n: &NodeSpec, diags: &mut Diagnostics) {
    let Some(r) = &n.resources else { return };
    let name = n.name.value.as_str();
    for (what, value, min, unit) in [
        ("cpus", &r.cpus, MIN_CPUS, " CPUs"),
        ("memory_gb", &r.memory_gb, MIN_MEMORY_GB, " GB of memory"),
        ("disk_gb", &r.disk_gb, MIN_DISK_GB, " GB of disk"),
    ] {
        if let Some(v) = value.as_ref().filter(|v| v.value < min) {
            diags.push(
                Diagnostic::error(
                    Code::Resources,
                    Some(v.span.clone()),
                    format!("node {name:?} has {what} = {}, below the minimum of {min}{unit}", v.value),
                )
                .with_help("cluster hosts need at least 2 CPUs, 5 GB of memory and 50 GB of disk (seed 001); give the machine more"),
            );
        }
    }
}
