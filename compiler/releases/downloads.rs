//! What the scripts download and how each download is verified: the matrix's `downloads`
//! rows resolved for one cluster (its versions, the spec's hashes, its mirror), and the
//! rewriting of URLs and images a `mirror` block asks for.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::matrix;

/// A `[[downloads]]` row of the matrix.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DownloadRow {
    /// The name templates, the spec's `sha256` and `downloads.tsv` know it by.
    pub id: String,
    /// The component whose version `{version}` is; `kubernetes` is the cluster's release.
    pub component: Option<String>,
    /// The file's name; empty for a package repository.
    pub file: String,
    pub url: String,
    /// The publisher's checksum file beside it.
    pub checksum: Option<String>,
    /// The SHA-256 kubeplan pins for the component's matrix version.
    pub sha256: Option<String>,
    /// A signing key's fingerprint (40 hex digits).
    pub fingerprint: Option<String>,
    /// The key (another row's id) a package repository is signed with.
    pub signed_by: Option<String>,
    pub source: String,
}

/// The site's artifact store: the `mirror` block of the cluster. Every base is written
/// without a trailing `/`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mirror {
    /// Instead of `https://dl.k8s.io`.
    pub kubernetes_binaries: Option<String>,
    /// Instead of `https://pkgs.k8s.io`.
    pub kubernetes_packages: Option<String>,
    /// Instead of `https://github.com` and `https://raw.githubusercontent.com`.
    pub github_releases: Option<String>,
    /// Instead of `https://download.docker.com`.
    pub docker_downloads: Option<String>,
    /// The registry every image is pulled from instead of its own.
    pub container_registry: Option<String>,
}

/// The registries images come from, which `container_registry` replaces.
pub const DEFAULT_REGISTRIES: [&str; 6] = [
    "registry.k8s.io",
    "mcr.microsoft.com",
    "docker.io",
    "quay.io",
    "ghcr.io",
    "gcr.io",
];

impl Mirror {
    /// The URL the scripts fetch instead of `url`: the mirror's base in place of the default
    /// host of the URL's kind. `raw.githubusercontent.com/OWNER/REPO/REF/PATH` becomes
    /// `BASE/OWNER/REPO/raw/REF/PATH`, the path github.com itself serves the file at, so one
    /// store mirrors both GitHub hosts with github.com's layout.
    pub fn url(&self, url: &str) -> String {
        // `host` ends the URL or a `/` follows it: `https://github.company.example` is
        // not github.com.
        let swap = |base: &Option<String>, host: &str| {
            let rest = url.strip_prefix(host)?;
            if !(rest.is_empty() || rest.starts_with('/')) {
                return None;
            }
            Some(format!("{}{rest}", base.as_deref()?))
        };
        if let Some(rest) = url.strip_prefix("https://raw.githubusercontent.com/") {
            if let Some(base) = &self.github_releases {
                let mut parts = rest.splitn(4, '/');
                if let (Some(owner), Some(repo), Some(git_ref), Some(path)) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                {
                    return format!("{base}/{owner}/{repo}/raw/{git_ref}/{path}");
                }
            }
            return url.to_owned();
        }
        swap(&self.kubernetes_binaries, "https://dl.k8s.io")
            .or_else(|| swap(&self.kubernetes_packages, "https://pkgs.k8s.io"))
            .or_else(|| swap(&self.github_releases, "https://github.com"))
            .or_else(|| swap(&self.docker_downloads, "https://download.docker.com"))
            .unwrap_or_else(|| url.to_owned())
    }

    /// The image a node pulls instead of `image`: `REGISTRY/PATH:TAG` for
    /// `HOST/PATH:TAG`, the registry's host dropped as Calico's `registry` and kubeadm's
    /// `imageRepository` drop it (`quay.io/calico/node` becomes `REGISTRY/calico/node`).
    pub fn image(&self, image: &str) -> String {
        match (&self.container_registry, image.split_once('/')) {
            (Some(registry), Some((host, path))) if DEFAULT_REGISTRIES.contains(&host) => {
                format!("{registry}/{path}")
            }
            _ => image.to_owned(),
        }
    }

    /// The mirror block sets anything.
    pub fn is_set(&self) -> bool {
        *self != Mirror::default()
    }
}

/// How a download is checked before it is used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Verify {
    /// Against the checksum file at this URL.
    ChecksumFile(String),
    /// Against this SHA-256 (lowercase hex), kubeplan's or the operator's.
    Sha256(String),
    /// A signing key whose fingerprint must be this.
    Fingerprint(String),
    /// A package repository, every package checked against this key (a download's id).
    SignedBy(String),
    /// Not at all: the spec lists it in `unverified`.
    Unverified,
    /// Nothing verifies it and the spec says nothing: `validate` refuses it (KP059).
    Missing,
}

/// One download of one cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Download {
    pub id: String,
    /// The component that the spec's `releases` block pins it under.
    pub component: Option<String>,
    /// That component's version (the matrix's or the spec's pin); empty without one.
    /// The URL holds it, so it is left out of what a node's inputs hash reads.
    #[serde(skip)]
    pub version: String,
    pub file: String,
    /// Where the scripts fetch it, the mirror applied.
    pub url: String,
    /// Where it is without a mirror.
    pub origin: String,
    pub verify: Verify,
    /// Who vouches for the check: the matrix row's source, or the spec.
    pub source: String,
}

/// What a cluster's spec says about downloads: its component versions, its `sha256` and
/// `unverified` entries per component, and its mirror.
pub struct Inputs<'a> {
    /// The cluster's release, `v1.35.8`.
    pub kubernetes_tag: &'a str,
    /// Its package channel, `v1.35`.
    pub channel: &'a str,
    /// A component's version: the spec's pin, else the matrix's.
    pub version: &'a dyn Fn(&str) -> String,
    /// The operator's SHA-256 of a component's file (`releases { C { sha256 = { FILE = H } } }`).
    pub sha256: &'a dyn Fn(&str, &str) -> Option<String>,
    /// The spec accepts a component's file without verification.
    pub unverified: &'a dyn Fn(&str, &str) -> bool,
    pub mirror: &'a Mirror,
}

/// Every download of the matrix, resolved for a cluster, by id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Downloads(BTreeMap<String, Download>);

impl Downloads {
    pub fn resolve(inputs: &Inputs<'_>) -> Self {
        Downloads(
            matrix()
                .downloads
                .iter()
                .map(|row| (row.id.clone(), resolve(row, inputs)))
                .collect(),
        )
    }

    /// A download by id. Every id the code and templates use has a row (tested).
    pub fn get(&self, id: &str) -> &Download {
        self.0
            .get(id)
            .unwrap_or_else(|| panic!("download {id:?} has a row in releases/matrix.toml"))
    }
}

fn resolve(row: &DownloadRow, inputs: &Inputs<'_>) -> Download {
    let version = match row.component.as_deref() {
        Some("kubernetes") => inputs.kubernetes_tag.to_owned(),
        Some(c) => (inputs.version)(c),
        None => String::new(),
    };
    let fill = |pattern: &str, file: &str| {
        pattern
            .replace("{version}", &version)
            .replace("{kubernetes}", inputs.kubernetes_tag)
            .replace("{channel}", inputs.channel)
            .replace("{file}", file)
    };
    let file = fill(&row.file, "");
    let origin = fill(&row.url, &file);
    let url = inputs.mirror.url(&origin);
    // The spec's word comes first; a matrix hash holds only for the matrix's version.
    let pinned = |c: &str| {
        row.component.as_deref() == Some(c) && (inputs.version)(c) == matrix().component(c).version
    };
    let (verify, source) = match row.component.as_deref() {
        Some(c) if c != "kubernetes" && (inputs.sha256)(c, &file).is_some() => (
            Verify::Sha256((inputs.sha256)(c, &file).unwrap_or_default()),
            format!("the spec, releases.{c}.sha256"),
        ),
        _ => {
            let verify = if let Some(checksum) = &row.checksum {
                Verify::ChecksumFile(inputs.mirror.url(&checksum.replace("{url}", &origin)))
            } else if let Some(f) = &row.fingerprint {
                Verify::Fingerprint(f.clone())
            } else if let Some(key) = &row.signed_by {
                Verify::SignedBy(key.clone())
            } else if let Some(h) = row
                .sha256
                .as_ref()
                .filter(|_| row.component.as_deref().is_none_or(pinned))
            {
                Verify::Sha256(h.clone())
            } else if row
                .component
                .as_deref()
                .is_some_and(|c| (inputs.unverified)(c, &file))
            {
                Verify::Unverified
            } else {
                Verify::Missing
            };
            (verify, row.source.clone())
        }
    };
    Download {
        id: row.id.clone(),
        component: row.component.clone(),
        version,
        file,
        url,
        origin,
        verify,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mirror() -> Mirror {
        Mirror {
            kubernetes_binaries: Some("https://m.example/dl-k8s".into()),
            kubernetes_packages: Some("https://m.example/pkgs-k8s".into()),
            github_releases: Some("https://m.example/github".into()),
            docker_downloads: None,
            container_registry: Some("registry.example:5000/k8s".into()),
        }
    }

    #[test]
    fn a_mirror_moves_each_kind_of_host_and_nothing_else() {
        let m = mirror();
        assert_eq!(
            m.url("https://dl.k8s.io/v1.35.8/bin/windows/amd64/kubelet.exe"),
            "https://m.example/dl-k8s/v1.35.8/bin/windows/amd64/kubelet.exe"
        );
        assert_eq!(
            m.url("https://raw.githubusercontent.com/microsoft/SDN/710cad6/Kubernetes/windows/hns.psm1"),
            "https://m.example/github/microsoft/SDN/raw/710cad6/Kubernetes/windows/hns.psm1"
        );
        assert_eq!(
            m.url("https://github.com/flannel-io/flannel/releases/download/v0.28.9/flanneld.exe"),
            "https://m.example/github/flannel-io/flannel/releases/download/v0.28.9/flanneld.exe"
        );
        // Not mirrored: download.docker.com without docker_downloads, and other hosts.
        assert_eq!(
            m.url("https://download.docker.com/linux/centos/gpg"),
            "https://download.docker.com/linux/centos/gpg"
        );
        assert_eq!(
            m.url("https://github.company.example/x"),
            "https://github.company.example/x"
        );
        assert_eq!(
            m.image("registry.k8s.io/pause:3.10.2"),
            "registry.example:5000/k8s/pause:3.10.2"
        );
        assert_eq!(
            m.image("quay.io/calico/node:v3.32.1"),
            "registry.example:5000/k8s/calico/node:v3.32.1"
        );
        assert_eq!(Mirror::default().image("quay.io/x:1"), "quay.io/x:1");
    }

    #[test]
    fn every_row_is_verifiable_as_written_and_names_known_things() {
        let m = matrix();
        for row in &m.downloads {
            if let Some(c) = row.component.as_deref().filter(|c| *c != "kubernetes") {
                assert!(m.components.iter().any(|k| k.name == c), "{}: {c}", row.id);
            }
            for h in [&row.sha256].into_iter().flatten() {
                assert!(
                    h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
                    "{}",
                    row.id
                );
            }
            if let Some(key) = &row.signed_by {
                assert!(m.downloads.iter().any(|r| &r.id == key), "{}", row.id);
            }
            let ways = [
                row.checksum.is_some(),
                row.sha256.is_some(),
                row.fingerprint.is_some(),
                row.signed_by.is_some(),
            ];
            assert!(ways.iter().filter(|w| **w).count() <= 1, "{}", row.id);
            // No spec can vouch for a file of no component: the matrix must.
            assert!(
                row.component.is_some() || ways.contains(&true),
                "{}: no component and no check",
                row.id
            );
            assert!(!row.source.is_empty(), "{}", row.id);
        }
    }

    #[test]
    fn a_matrix_hash_holds_for_the_matrix_version_only_and_the_spec_overrides_it() {
        fn matrix_version(c: &str) -> String {
            matrix().component(c).version.clone()
        }
        fn other(c: &str) -> String {
            if c == "calico" {
                "v3.31.0".to_owned()
            } else {
                matrix_version(c)
            }
        }
        fn none(_: &str, _: &str) -> Option<String> {
            None
        }
        fn no(_: &str, _: &str) -> bool {
            false
        }
        fn hash(c: &str, f: &str) -> Option<String> {
            (c == "flannel" && f == "flanneld.exe").then(|| "ab".repeat(32))
        }
        let mirror = Mirror::default();
        let inputs =
            |version: &'static dyn Fn(&str) -> String,
             sha256: &'static dyn Fn(&str, &str) -> Option<String>| Inputs {
                kubernetes_tag: "v1.35.8",
                channel: "v1.35",
                version,
                sha256,
                unverified: &no,
                mirror: &mirror,
            };
        let d = Downloads::resolve(&inputs(&matrix_version, &none));
        assert!(matches!(d.get("tigera-operator").verify, Verify::Sha256(_)));
        assert!(
            matches!(d.get("kubelet.exe").verify, Verify::ChecksumFile(ref u) if u == "https://dl.k8s.io/v1.35.8/bin/windows/amd64/kubelet.exe.sha256")
        );
        assert_eq!(d.get("flanneld.exe").verify, Verify::Missing);
        let d = Downloads::resolve(&inputs(&other, &none));
        assert_eq!(d.get("tigera-operator").verify, Verify::Missing);
        let d = Downloads::resolve(&inputs(&matrix_version, &hash));
        assert_eq!(
            d.get("flanneld.exe").verify,
            Verify::Sha256("ab".repeat(32))
        );
    }
}
