//! `translate`: a spec every rule accepted, as the [`Cluster`] the later stages read:
//! the network and the cloud chosen, every default resolved, each node's pod subnet
//! allocated (or kept from the last apply), Rancher's Linux-worker taint injected.

mod pods;

use crate::cluster::{
    Cluster, Network, Node, NodeOs, Resources, LINUX_WORKER_TAINT, MIN_CPUS, MIN_DISK_GB,
    MIN_MEMORY_GB,
};
use crate::diagnostic::Diagnostics;
use crate::model::{Os, Role};
use crate::spec::{NodeSpec, Spec};
use crate::state::State;

/// The cluster a spec without errors describes. Allocating pod subnets can fail (a full
/// `cluster_cidr`, a pinned subnet taken): that is reported in `diags`, and there is no
/// cluster. `prior` is the state of the last apply, whose pod subnets nodes keep.
pub fn translate(spec: &Spec, prior: Option<&State>, diags: &mut Diagnostics) -> Option<Cluster> {
    let mut found = Diagnostics::default();
    let pod_cidrs = pods::allocate(spec, prior, &mut found);
    let failed = found.has_errors();
    diags.extend(found);
    diags.sort();
    if failed {
        return None;
    }
    let nodes = spec
        .nodes
        .iter()
        .zip(pod_cidrs)
        .map(|(n, pod_cidr)| build_node(spec, n, pod_cidr))
        .collect();
    let cluster = build_cluster(spec, nodes);
    let mut found = Diagnostics::default();
    check_downloads(spec, &cluster, &mut found);
    let failed = found.has_errors();
    diags.extend(found);
    diags.sort();
    (!failed).then_some(cluster)
}

/// KP059: every file a node downloads has a checksum to be verified against, or the spec
/// accepts it unchecked by name (a warning). Reported once per file, at the component's
/// `releases` block when the spec has one, else at the cluster's header.
fn check_downloads(spec: &Spec, cluster: &Cluster, diags: &mut Diagnostics) {
    use crate::diagnostic::{Code, Diagnostic};
    use crate::releases::Verify;
    let c = &spec.cluster;
    let first = cluster.first_control_plane().name.as_str();
    let mut ids: Vec<&str> = cluster
        .nodes
        .iter()
        .flat_map(|n| crate::render::node_downloads(cluster, n, first))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let downloaded: Vec<_> = ids.iter().map(|id| cluster.downloads.get(id)).collect();
    let missing = downloaded.iter().filter(|d| d.verify == Verify::Missing);
    for d in missing {
        let Some(component) = d.component.as_deref() else {
            continue;
        };
        let span = c
            .releases
            .pin(component)
            .map_or_else(|| c.name.span.clone(), |p| p.component.span.clone());
        diags.push(
            Diagnostic::error(
                Code::UnverifiedDownload,
                Some(span),
                format!(
                    "nothing verifies {} ({}): no checksum is published beside it and the release matrix pins no SHA-256 for it",
                    d.file, d.origin
                ),
            )
            .with_help(format!(
                "check the file yourself (`curl -fsSL {} | sha256sum`) and vouch for it in cluster.releases: {component} {{ sha256 = {{ \"{}\" = \"<its SHA-256>\" }} }}, or accept it unchecked with {component} {{ unverified = [\"{}\"] }}",
                d.origin, d.file, d.file
            )),
        );
    }
    // An entry that names no file the cluster downloads does nothing: a typo, or a file
    // whose name moved with its version. (An acknowledged download is not warned about on
    // every run: the spec says it, downloads.tsv marks it UNVERIFIED, the node warns.)
    for pin in &c.releases.pins {
        let component = pin.component.value.as_str();
        let files: Vec<&str> = downloaded
            .iter()
            .filter(|d| d.component.as_deref() == Some(component))
            .map(|d| d.file.as_str())
            .collect();
        if files.is_empty() {
            continue; // a component this cluster does not use, as a version pin of one
        }
        let stale = pin
            .sha256
            .iter()
            .map(|(file, _)| (file.as_str(), "sha256", &pin.component.span))
            .chain(
                pin.unverified
                    .iter()
                    .map(|u| (u.value.as_str(), "unverified", &u.span)),
            )
            .filter(|(file, _, _)| !files.contains(file));
        for (file, attr, span) in stale {
            diags.push(
                Diagnostic::warning(
                    Code::UnverifiedDownload,
                    Some(span.clone()),
                    format!("releases.{component}.{attr} names {file:?}, which no node of this cluster downloads"),
                )
                .with_help(format!(
                    "the files of {component} it downloads: {}",
                    files.join(", ")
                )),
            );
        }
    }
}

fn build_cluster(spec: &Spec, nodes: Vec<Node>) -> Cluster {
    use crate::releases::matrix;
    let c = &spec.cluster;
    let n = &c.network;
    let pinned = |component: &str| {
        c.releases
            .version(component)
            .map(|v| v.value.as_str().to_owned())
    };
    let mirror = c
        .mirror
        .as_ref()
        .map(crate::spec::MirrorSpec::mirror)
        .unwrap_or_default();
    Cluster {
        name: c.name.value.clone(),
        kubernetes_version: c.kubernetes_version.value,
        runtime: c.container_runtime.value,
        endpoint: c.control_plane_endpoint.value.clone(),
        platform: c.platform.value,
        network: Network {
            kind: crate::network::Kind::select(n.plugin.value, n.mode.value)
                .expect("the network rules refuse a plugin and mode no network runs"),
            plugin: n.plugin.value,
            mode: n.mode.value,
            cluster_cidr: n.cluster_cidr.value,
            node_cidr_mask: n.node_cidr_mask.value,
            service_cidr: n.service_cidr.value,
            vxlan_vni: n.vxlan_vni.value,
            vxlan_port: n.vxlan_port.value,
        },
        ca_cert_hash: c.ca_cert_hash.as_ref().map(|h| h.value.clone()),
        linux_worker_taint: c.linux_worker_taint.value,
        windows_support: c.windows_support.value,
        cloud: crate::cloud::Cloud::of(spec),
        nodes,
        versions: crate::render::Versions::resolve(&pinned, &mirror),
        downloads: crate::releases::Downloads::resolve(&crate::releases::Inputs {
            kubernetes_tag: &format!("v{}", c.kubernetes_version.value),
            channel: &c.kubernetes_version.value.minor_channel(),
            version: &|component| {
                pinned(component).unwrap_or_else(|| matrix().component(component).version.clone())
            },
            sha256: &|component, file| c.releases.sha256(component, file),
            unverified: &|component, file| c.releases.unverified(component, file),
            mirror: &mirror,
        }),
        mirror,
    }
}

fn build_node(spec: &Spec, n: &NodeSpec, pod_cidr: Option<ipnet::Ipv4Net>) -> Node {
    let os = match (n.os.value, &n.distro, n.windows_version.as_ref()) {
        (Os::Linux, Some(d), _) => NodeOs::Linux(d.value.clone()),
        (Os::Windows, _, Some(w)) => NodeOs::Windows(w.value),
        _ => unreachable!("validation requires a Linux node's distro and a Windows node's release"),
    };
    let mut taints: Vec<String> = n
        .taints
        .iter()
        .flat_map(|t| t.value.iter().map(|t| t.value.clone()))
        .collect();
    let linux_worker =
        matches!(os, NodeOs::Linux(_)) && n.roles.value.iter().any(|r| r.value == Role::Worker);
    if spec.cluster.linux_worker_taint.value
        && linux_worker
        && !taints.iter().any(|t| t == LINUX_WORKER_TAINT)
    {
        taints.push(LINUX_WORKER_TAINT.to_owned());
    }
    let r = n.resources.as_ref();
    let at_least =
        |v: Option<&crate::spec::Spanned<u32>>, min: u32| v.map_or(min, |v| v.value.max(min));
    Node {
        pod_cidr,
        instance_id: n.instance_id.as_ref().map(|i| i.value.clone()),
        vmxnet3_fix: matches!(os, NodeOs::Linux(_))
            && spec.cluster.platform.value == crate::model::Platform::Vsphere
            && n.vmxnet3_offload_fix.as_ref().is_none_or(|f| f.value),
        labels: n
            .labels
            .as_ref()
            .map(|l| l.value.clone())
            .unwrap_or_default(),
        taints,
        resources: Resources {
            cpus: at_least(r.and_then(|r| r.cpus.as_ref()), MIN_CPUS),
            memory_gb: at_least(r.and_then(|r| r.memory_gb.as_ref()), MIN_MEMORY_GB),
            disk_gb: at_least(r.and_then(|r| r.disk_gb.as_ref()), MIN_DISK_GB),
        },
        name: n.name.value.clone(),
        os,
        roles: n.roles.value.iter().map(|r| r.value).collect(),
        address: n.address.value,
        interface: n.interface.value.clone(),
        management_cidr: spec.cluster.network.host_network(n),
    }
}
