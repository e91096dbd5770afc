//! What each node fetches: the downloads of the release matrix its scripts use and the
//! images it pulls, mirror applied, for the templates (which read every URL from here) and
//! for `_cluster/downloads.tsv` (which lists them for the site to mirror).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cluster::{Cluster, Node, NodeOs};
use crate::model::PackageManager;
use crate::releases::{Download, Verify};

/// A download as the templates see it: one of `checksum_url`, `sha256`, `fingerprint`,
/// `signed_by` set, or `unverified`.
#[derive(Serialize)]
pub struct DownloadCtx {
    pub file: String,
    pub url: String,
    pub checksum_url: Option<String>,
    /// Lowercase hex.
    pub sha256: Option<String>,
    /// 40 uppercase hex digits, as `gpg --with-colons` prints them.
    pub fingerprint: Option<String>,
    pub unverified: bool,
}

impl DownloadCtx {
    fn new(d: &Download) -> Self {
        let mut ctx = DownloadCtx {
            file: d.file.clone(),
            url: d.url.clone(),
            checksum_url: None,
            sha256: None,
            fingerprint: None,
            unverified: false,
        };
        match &d.verify {
            Verify::ChecksumFile(u) => ctx.checksum_url = Some(u.clone()),
            Verify::Sha256(h) => ctx.sha256 = Some(h.clone()),
            Verify::Fingerprint(f) => ctx.fingerprint = Some(f.clone()),
            Verify::Unverified => ctx.unverified = true,
            // A repository is checked by its package manager; `Missing` never renders
            // (validate refuses it, KP059).
            Verify::SignedBy(_) | Verify::Missing => {}
        }
        ctx
    }
}

/// Every download of the cluster by id, for `cluster.downloads` in the templates.
pub fn downloads_ctx(c: &Cluster) -> BTreeMap<String, DownloadCtx> {
    let first = c.first_control_plane().name.as_str();
    let mut ids: Vec<&str> = c
        .nodes
        .iter()
        .flat_map(|n| node_downloads(c, n, first))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .map(|id| (id.to_owned(), DownloadCtx::new(c.downloads.get(id))))
        .collect()
}

/// The downloads (matrix ids) a node's scripts fetch, in the order they run; `first` is
/// the first control-plane node's name.
pub fn node_downloads(c: &Cluster, n: &Node, first: &str) -> Vec<&'static str> {
    let network = c.network.get();
    let docker = c.runs_docker();
    let mut ids: Vec<&'static str> = Vec::new();
    match &n.os {
        NodeOs::Windows(_) => {
            if docker {
                ids.extend(["docker-windows", "cri-dockerd-windows"]);
            } else {
                ids.push("containerd-windows");
            }
            ids.extend([
                "kubelet.exe",
                "kubeadm.exe",
                "kube-proxy.exe",
                "kube-log-runner.exe",
            ]);
            ids.extend(network.windows_downloads());
            ids.extend(["cni-plugins-windows", "windows-cni", "hns.psm1"]);
        }
        NodeOs::Linux(d) => {
            match d.family.package_manager() {
                PackageManager::Apt => ids.extend(["kubernetes-deb-key", "kubernetes-deb-repo"]),
                PackageManager::Dnf => ids.extend([
                    "docker-rpm-key",
                    "docker-rpm-repo",
                    "kubernetes-rpm-key",
                    "kubernetes-rpm-repo",
                ]),
                PackageManager::Zypper => {
                    ids.extend(["kubernetes-rpm-key", "kubernetes-rpm-repo"]);
                }
            }
            if docker {
                ids.push("cri-dockerd-linux");
            }
            if n.name.as_str() == first {
                ids.extend(network.init_downloads());
            }
        }
    }
    ids
}

/// The images a node pulls, mirror applied. kubeadm's own images are one row of
/// `downloads.tsv` instead: kubeadm names them (`kubeadm config images list`).
pub fn node_images(c: &Cluster, n: &Node) -> Vec<String> {
    let (linux, windows) = c.network.get().images(&c.versions);
    let mut images = vec![c.versions.pause_image.clone()];
    match &n.os {
        NodeOs::Windows(w) => {
            images.extend(windows.iter().map(|i| c.mirror.image(i)));
            images.push(c.mirror.image(&w.iis_image()));
        }
        NodeOs::Linux(_) => images.extend(linux.iter().map(|i| c.mirror.image(i))),
    }
    images
}

/// One row of `_cluster/downloads.tsv`.
#[derive(Serialize)]
pub struct TsvRow {
    /// `file`, `key`, `repository`, `image` or `kubeadm-images`.
    pub kind: &'static str,
    /// The URL or image a node fetches.
    pub fetch: String,
    /// The nodes that fetch it, comma-separated.
    pub nodes: String,
    /// `sha256:HEX`, `checksum-file:URL`, `fingerprint:HEX`, `signed-by:URL`, `digest`,
    /// `UNVERIFIED`.
    pub verified_by: String,
}

/// Every download and image of the cluster, in the order of the matrix's downloads, then
/// images by name, each once with the nodes that fetch it.
pub fn tsv_rows(c: &Cluster) -> Vec<TsvRow> {
    let mut out = Vec::new();
    let first = c.first_control_plane().name.as_str();
    let mut users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for n in &c.nodes {
        for id in node_downloads(c, n, first) {
            users.entry(id).or_default().push(n.name.as_str());
        }
    }
    for row in &crate::releases::matrix().downloads {
        let Some(nodes) = users.get(row.id.as_str()) else {
            continue;
        };
        let d = c.downloads.get(&row.id);
        let (kind, verified_by) = match &d.verify {
            Verify::ChecksumFile(u) => ("file", format!("checksum-file:{u}")),
            Verify::Sha256(h) => ("file", format!("sha256:{h}")),
            Verify::Fingerprint(f) => ("key", format!("fingerprint:{f}")),
            Verify::SignedBy(key) => (
                "repository",
                format!("signed-by:{}", c.downloads.get(key).url),
            ),
            Verify::Unverified | Verify::Missing => ("file", "UNVERIFIED".to_owned()),
        };
        out.push(TsvRow {
            kind,
            fetch: d.url.clone(),
            nodes: node_set(nodes),
            verified_by,
        });
    }
    let mut images: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for n in &c.nodes {
        for i in node_images(c, n) {
            images.entry(i).or_default().push(n.name.as_str());
        }
    }
    for (image, nodes) in images {
        out.push(TsvRow {
            kind: "image",
            fetch: image,
            nodes: node_set(&nodes),
            verified_by: REGISTRY_TAG.to_owned(),
        });
    }
    let repository = c
        .mirror
        .container_registry
        .as_deref()
        .unwrap_or("registry.k8s.io");
    out.push(TsvRow {
        kind: "kubeadm-images",
        fetch: format!(
            "kubeadm config images list --kubernetes-version v{} --image-repository {repository}",
            c.kubernetes_version
        ),
        nodes: node_set(
            &c.nodes
                .iter()
                .filter(|n| !n.is_windows())
                .map(|n| n.name.as_str())
                .collect::<Vec<_>>(),
        ),
        verified_by: REGISTRY_TAG.to_owned(),
    });
    out
}

/// What an image is checked by: it is pulled by tag, and the runtime checks every layer
/// against the digest of the manifest the registry serves for the tag; kubeplan pins no
/// digest.
const REGISTRY_TAG: &str = "tag";

/// Node names joined with `,`, a run of three or more numbered ones in a row written
/// `PREFIX[FIRST:LAST]` as an Ansible inventory writes a range (`win-[01:50]`; leading
/// zeros kept, so every name of the range has the width of the first).
fn node_set(names: &[&str]) -> String {
    fn numbered(name: &str) -> Option<(&str, &str, u64)> {
        let digits = name.len() - name.bytes().rev().take_while(u8::is_ascii_digit).count();
        let (prefix, number) = name.split_at(digits);
        Some((prefix, number, number.parse().ok()?))
    }
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < names.len() {
        let mut end = i + 1;
        if let Some((prefix, first, n)) = numbered(names[i]) {
            let width = if first.starts_with('0') {
                first.len()
            } else {
                0
            };
            while let Some(next) = names.get(end) {
                let k = n.checked_add((end - i) as u64);
                if k.is_none_or(|k| *next != format!("{prefix}{k:0width$}")) {
                    break;
                }
                end += 1;
            }
            if end - i >= 3 {
                let last = numbered(names[end - 1]).map_or("", |(_, d, _)| d);
                out.push(format!("{prefix}[{first}:{last}]"));
                i = end;
                continue;
            }
        }
        out.push(names[i].to_owned());
        i += 1;
    }
    out.join(",")
}

#[cfg(test)]
mod tests {
    use super::node_set;

    #[test]
    fn runs_of_numbered_nodes_read_as_ansible_ranges() {
        assert_eq!(
            node_set(&["cp-1", "worker-1", "win-1"]),
            "cp-1,worker-1,win-1"
        );
        assert_eq!(node_set(&["cp-1", "cp-2"]), "cp-1,cp-2");
        assert_eq!(node_set(&["cp-1", "cp-2", "cp-3", "w"]), "cp-[1:3],w");
        assert_eq!(
            node_set(&["win-08", "win-09", "win-10", "win-11"]),
            "win-[08:11]"
        );
        assert_eq!(node_set(&["n9", "n10", "n11"]), "n[9:11]");
        // A gap, or a width the range would not reproduce, ends a run.
        assert_eq!(node_set(&["a1", "a2", "a4", "a5", "a6"]), "a1,a2,a[4:6]");
        assert_eq!(node_set(&["a08", "a9", "a10"]), "a08,a9,a10");
        assert_eq!(node_set(&["x", "1", "2", "3"]), "x,[1:3]");
        let max = u64::MAX.to_string();
        assert_eq!(node_set(&[&max, "0"]), format!("{max},0"));
    }
}
