//! What the nodes fetch, over every example and test spec: every URL and image an artifact
//! names is a row of its cluster's `_cluster/downloads.tsv`, every download in a script is
//! verified before use, and with a `mirror` block no artifact fetches from a default host.

mod common;

use std::collections::BTreeSet;

use common::specs::{self, Compiled};

/// The hosts kubeplan's scripts download from, by default and through the test mirror.
const DOWNLOAD_HOSTS: [&str; 7] = [
    "https://dl.k8s.io/",
    "https://pkgs.k8s.io/",
    "https://github.com/",
    "https://raw.githubusercontent.com/",
    "https://download.docker.com/",
    "https://cloudbase.it/",
    "https://mirror.corp.example/",
];

/// The default hosts and registries a `mirror` block with every attribute replaces.
const MIRRORED: [&str; 11] = [
    "dl.k8s.io",
    "pkgs.k8s.io",
    "github.com",
    "githubusercontent.com",
    "download.docker.com",
    "registry.k8s.io",
    "mcr.microsoft.com",
    "docker.io/",
    "quay.io",
    "ghcr.io",
    "gcr.io",
];

struct Tsv {
    /// Every URL and image of the fetch column, and every checksum file's URL.
    fetched: BTreeSet<String>,
    /// The URLs marked UNVERIFIED.
    unverified: BTreeSet<String>,
    images: BTreeSet<String>,
}

fn tsv(c: &Compiled) -> Tsv {
    let text = c
        .artifacts
        .iter()
        .find(|a| a.path == "_cluster/downloads.tsv")
        .and_then(|a| a.text())
        .unwrap_or_else(|| panic!("{} has _cluster/downloads.tsv", c.name));
    let mut t = Tsv {
        fetched: BTreeSet::new(),
        unverified: BTreeSet::new(),
        images: BTreeSet::new(),
    };
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "{}: {line:?}", c.name);
        assert!(
            !cols[2].is_empty(),
            "{}: a row without nodes: {line:?}",
            c.name
        );
        let (kind, fetch, verified_by) = (cols[0], cols[1], cols[3]);
        assert_ne!(verified_by, "", "{}: {line:?}", c.name);
        match kind {
            "image" => {
                t.images.insert(fetch.to_owned());
            }
            "file" | "key" | "repository" => {
                t.fetched.insert(fetch.to_owned());
                if let Some(u) = verified_by.strip_prefix("checksum-file:") {
                    t.fetched.insert(u.to_owned());
                }
                if verified_by == "UNVERIFIED" {
                    t.unverified.insert(fetch.to_owned());
                }
            }
            "kubeadm-images" => {}
            other => panic!("{}: unknown kind {other:?}", c.name),
        }
    }
    t
}

/// The node scripts, manifests and configs (not the runbook and the tsv, which describe).
fn fetching_artifacts(c: &Compiled) -> impl Iterator<Item = (&str, &str)> {
    c.artifacts.iter().filter_map(|a| {
        let ext = a.path.rsplit('.').next().unwrap_or_default();
        let fetches = [
            "sh", "ps1", "yaml", "yml", "json", "toml", "conflist", "service",
        ];
        (fetches.contains(&ext)).then(|| (a.path.as_str(), a.text().unwrap_or_default()))
    })
}

fn urls(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("https://") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| c.is_whitespace() || "'\"`)\\".contains(c))
            .unwrap_or(tail.len());
        out.push(tail[..end].to_owned());
        rest = &tail[end..];
    }
    out
}

fn images(path: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        let value = t
            .strip_prefix("image: ")
            .or_else(|| t.strip_prefix("- image: "))
            .or_else(|| t.strip_prefix("sandbox_image = "))
            .or_else(|| t.strip_prefix("sandbox = "))
            .or_else(|| t.strip_prefix("PAUSE_IMAGE="))
            .or_else(|| t.strip_prefix("$PauseImage = "));
        if let Some(v) = value {
            out.push(v.trim_matches(['"', '\'']).to_owned());
        }
    }
    assert!(
        !(path.ends_with("kube-flannel.yml") && out.is_empty()),
        "{path}: the flannel manifest names its images"
    );
    out
}

#[test]
fn every_url_and_image_an_artifact_names_is_in_its_downloads_tsv() {
    let mut checked = 0;
    for c in specs::all() {
        let t = tsv(c);
        for (path, text) in fetching_artifacts(c) {
            for url in urls(text) {
                if DOWNLOAD_HOSTS.iter().any(|h| url.starts_with(h)) {
                    assert!(
                        t.fetched.contains(&url),
                        "{}: {path} fetches {url}, which downloads.tsv does not list",
                        c.name
                    );
                    checked += 1;
                }
            }
            for image in images(path, text) {
                assert!(
                    t.images.contains(&image),
                    "{}: {path} pulls {image}, which downloads.tsv does not list",
                    c.name
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 200, "only {checked} URLs and images were found");
}

#[test]
fn with_a_mirror_no_artifact_fetches_from_a_default_host() {
    let mirrored: Vec<&Compiled> = specs::all()
        .iter()
        .filter(|c| c.name.ends_with("@mirror"))
        .collect();
    assert_eq!(mirrored.len(), 2);
    for c in mirrored {
        for (path, text) in fetching_artifacts(c) {
            // The one line that names quay.io is the one taking it out of Calico's manifest.
            let text: String = text
                .lines()
                .filter(|l| {
                    !l.starts_with("sed -i 's#image: quay.io/#image: registry.corp.example/#'")
                })
                .collect::<Vec<_>>()
                .join("\n");
            for host in MIRRORED {
                assert!(
                    !text.contains(host),
                    "{}: {path} names {host} despite the mirror: {:?}",
                    c.name,
                    text.lines().find(|l| l.contains(host))
                );
            }
        }
        let t = tsv(c);
        for row in t.fetched.iter().chain(&t.images) {
            assert!(
                row.starts_with("https://mirror.corp.example/")
                    || row.starts_with("registry.corp.example/"),
                "{}: downloads.tsv still has {row}",
                c.name
            );
        }
    }
}

#[test]
fn every_download_in_every_script_is_verified_before_use() {
    let mut downloads = 0;
    for c in specs::all() {
        let t = tsv(c);
        for (path, text) in fetching_artifacts(c) {
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let t_line = line.trim_start();
                let at = format!("{}: {path}:{}", c.name, i + 1);
                if t_line.starts_with("Save-VerifiedFile -Uri ") {
                    downloads += 1;
                    let url = urls(t_line).into_iter().next().expect("a URL");
                    let check = [" -ChecksumUri 'https://", " -Sha256 '"]
                        .iter()
                        .any(|c| t_line.contains(c));
                    let unverified = t_line.contains(" -Unverified");
                    assert!(check ^ unverified, "{at}: {t_line}");
                    assert_eq!(unverified, t.unverified.contains(&url), "{at}: {t_line}");
                } else if t_line.starts_with("fetch_verified ") {
                    downloads += 1;
                    let words: Vec<&str> = t_line.split_whitespace().collect();
                    let check = words.get(3).copied().unwrap_or_default().trim_matches('\'');
                    let url = words.get(2).copied().unwrap_or_default().trim_matches('\'');
                    assert!(
                        check.starts_with("sha256:")
                            || check.starts_with("checksum-file:https://")
                            || check == "unverified",
                        "{at}: {t_line}"
                    );
                    assert_eq!(check == "unverified", t.unverified.contains(url), "{at}");
                } else if t_line.starts_with("fetch_key ") {
                    downloads += 1;
                    let fingerprint = t_line.split_whitespace().nth(3).unwrap_or_default();
                    assert!(
                        fingerprint.len() == 40
                            && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
                        "{at}: {t_line}"
                    );
                }
                // Only the two download functions fetch, each checking what it fetched.
                if t_line.contains("Invoke-WebRequest") {
                    assert!(
                        t_line.contains("-Uri $Uri -OutFile \"$Path.download\"")
                            || t_line.contains("-Uri $ChecksumUri -OutFile $sumFile"),
                        "{at}: a download outside Save-VerifiedFile: {t_line}"
                    );
                }
                let fetch_words = [
                    "curl -",
                    "wget ",
                    "kubectl apply -f http",
                    "kubectl create -f http",
                ];
                if fetch_words.iter().any(|w| t_line.contains(w)) && !t_line.starts_with('#') {
                    assert!(
                        t_line.starts_with("curl -fsSL -o \"$dest.download\" \"$url\"")
                            || t_line.starts_with(
                                "checksum-file:*) expected=$(curl -fsSL \"${check#checksum-file:}\""
                            ),
                        "{at}: a download outside fetch_verified and fetch_key: {t_line}"
                    );
                }
            }
        }
    }
    assert!(downloads > 100, "only {downloads} downloads were found");
}
