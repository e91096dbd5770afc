//! The release matrix: which Kubernetes minors, Windows Server releases and component
//! versions kubeplan knows, what each needs, and where each fact comes from. It is data
//! (`matrix.toml`, compiled in); the rules, the templates' pinned versions and
//! `docs/releases.md` all read it, so a release is bumped in one place.

mod date;
mod downloads;

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

pub use date::{today, Today};
pub use downloads::{Download, DownloadRow, Downloads, Inputs, Mirror, Verify, DEFAULT_REGISTRIES};

use crate::model::{Distro, KubeVersion, WindowsVersion};

/// The components a spec's `releases` block can pin, each a row of the matrix.
pub const PINNABLE: [&str; 10] = [
    "containerd",
    "flannel",
    "flannel_cni_plugin",
    "cni_plugins",
    "windows_cni",
    "calico",
    "cri_dockerd",
    "docker",
    "openvswitch",
    "pause",
];

/// The matrix as written in `matrix.toml`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Matrix {
    /// The day its facts were last checked against their sources.
    pub reviewed: String,
    pub kubernetes: Vec<KubeMinor>,
    pub windows: Vec<WindowsRelease>,
    pub components: Vec<Component>,
    /// The Linux releases that boot with cgroup v2 by default, per family.
    pub cgroup_v2: Vec<CgroupV2>,
    /// Every file a script downloads, and how it is verified.
    pub downloads: Vec<DownloadRow>,
}

/// One Kubernetes minor.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KubeMinor {
    /// `1.35`.
    pub minor: String,
    /// The day `MINOR.0` was released.
    pub released: String,
    /// The day the minor's last patch is due; no fixes after it.
    pub end_of_life: String,
    /// The newest patch release known: `MINOR.0` to `MINOR.latest_patch` are accepted.
    pub latest_patch: u32,
    /// The kubeadm configuration API kubeplan writes for it (`kubeadm.k8s.io/v1beta4`).
    pub kubeadm_api: String,
    /// The Windows Server releases upstream supports for it.
    pub windows: Vec<String>,
    /// Releases that still run it but that upstream no longer lists: a warning.
    #[serde(default)]
    pub windows_warned: Vec<String>,
    /// The containerd releases it runs on, the oldest of each line containerd lists:
    /// `2.2.0` for 2.2.0 and later 2.2 patches. A line newer than every listed one counts.
    pub containerd: Vec<String>,
    /// What a node needs before its kubelet starts (`cgroup-v2`).
    #[serde(default)]
    pub requires: Vec<Requirement>,
    /// Kubelet and kube-proxy flags and feature gates removed in this minor.
    #[serde(default)]
    pub removed: Vec<String>,
    /// Where the dates, Windows support and requirements come from.
    pub sources: Vec<String>,
}

/// A node requirement a Kubernetes minor's kubelet enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Requirement {
    /// The kubelet refuses to start on a cgroup v1 host (`failCgroupV1` defaults to true).
    CgroupV2,
}

impl Requirement {
    /// The requirement as a diagnostic names it.
    pub fn describe(self) -> &'static str {
        match self {
            Requirement::CgroupV2 => "cgroup v2 (the kubelet's failCgroupV1 is true by default)",
        }
    }
}

/// One Windows Server release.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsRelease {
    /// The `windows_version` word: `ltsc2025`, `20H2`.
    pub name: String,
    /// Long-term servicing (`ltsc`) or semi-annual (`sac`).
    pub channel: String,
    /// The release id Microsoft's lifecycle pages use: `24H2`, `1809`.
    pub release: String,
    /// `[Environment]::OSVersion.Version.Build`.
    pub build: u32,
    /// The tag of the matching `servercore` and `nanoserver` images.
    pub image_tag: String,
    /// The oldest `registry.k8s.io/pause` with a manifest for this build.
    pub pause: Option<String>,
    /// Older container releases a host of this release also runs with process isolation
    /// (besides its own build).
    #[serde(default)]
    pub process_isolates: Vec<String>,
    /// The end of Microsoft's (extended) support.
    pub end_of_support: String,
    pub sources: Vec<String>,
}

/// A component the scripts install, with its pinned version.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// The name the templates and the `releases` block use: `containerd`.
    pub name: String,
    /// What it is, for the docs.
    pub title: String,
    pub version: String,
    /// The Kubernetes minors its documentation says it works with (empty: it says nothing).
    #[serde(default)]
    pub kubernetes: Vec<String>,
    /// The Windows Server releases its documentation says it supports (empty: it says
    /// nothing).
    #[serde(default)]
    pub windows: Vec<String>,
    /// Upstream's status when it is no longer maintained for Windows, said by `validate`.
    pub legacy: Option<String>,
    /// How each download is checked.
    pub verify: String,
    /// The images it runs on Linux nodes (`{version}` is its version), when kubeplan's
    /// manifests do not name them itself.
    #[serde(default)]
    pub images: Vec<String>,
    /// The images it runs on Windows nodes.
    #[serde(default)]
    pub windows_images: Vec<String>,
    pub sources: Vec<String>,
}

/// The first release of a Linux family that boots with cgroup v2 unless told otherwise.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CgroupV2 {
    pub family: String,
    /// `21.10`, `11`, `9`.
    pub from: String,
    pub source: String,
}

/// The matrix compiled into kubeplan; `tests` below prove it parses and holds together.
pub fn matrix() -> &'static Matrix {
    static MATRIX: LazyLock<Matrix> = LazyLock::new(|| {
        toml::from_str(include_str!("matrix.toml"))
            .expect("releases/matrix.toml parses (tested in releases::tests)")
    });
    &MATRIX
}

/// `docs/releases.md`: the matrix as `templates/docs/releases.md` lays it out.
pub fn markdown() -> Result<String, String> {
    let mut tera = tera::Tera::new();
    tera.autoescape_on(Vec::<&str>::new());
    tera.add_raw_template(
        "docs/releases.md",
        include_str!("../../templates/docs/releases.md"),
    )
    .map_err(|e| format!("{e:?}"))?;
    let mut ctx = tera::Context::new();
    ctx.insert("m", matrix());
    tera.render("docs/releases.md", &ctx)
        .map_err(|e| format!("{e:?}"))
}

impl Matrix {
    /// The row of a Kubernetes release's minor, if the matrix knows the minor.
    pub fn minor(&self, v: KubeVersion) -> Option<&KubeMinor> {
        let minor = format!("{}.{}", v.major, v.minor);
        self.kubernetes.iter().find(|k| k.minor == minor)
    }

    /// The row of a Windows release. Every [`WindowsVersion`] has one (tested).
    pub fn windows(&self, v: WindowsVersion) -> &WindowsRelease {
        self.windows
            .iter()
            .find(|w| w.name == v.name())
            .expect("every WindowsVersion has a row in releases/matrix.toml (tested)")
    }

    /// A component's row by name. Every name the code asks for has one (tested).
    pub fn component(&self, name: &str) -> &Component {
        self.components
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("component {name:?} has a row in releases/matrix.toml"))
    }

    /// Every known release, as a diagnostic lists them: `1.33.0–1.33.7, 1.34.0–1.34.3`.
    pub fn known_kubernetes(&self) -> String {
        self.kubernetes
            .iter()
            .map(|k| format!("{}.0–{}.{}", k.minor, k.minor, k.latest_patch))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether a distribution boots with cgroup v2; `None` when the matrix does not say.
    pub fn boots_cgroup_v2(&self, distro: &Distro) -> Option<bool> {
        let row = self
            .cgroup_v2
            .iter()
            .find(|r| r.family == distro.family.os_release_id())?;
        let from: Distro = format!("{}-{}", row.family, row.from).parse().ok()?;
        Some(distro.release() >= from.release())
    }
}

impl KubeMinor {
    /// Whether the minor supports a Windows release, warns about it, or refuses it.
    pub fn windows_support(&self, v: WindowsVersion) -> WindowsSupport {
        let name = v.name();
        if self.windows.iter().any(|w| w == name) {
            WindowsSupport::Listed
        } else if self.windows_warned.iter().any(|w| w == name) {
            WindowsSupport::Warned
        } else {
            WindowsSupport::Refused
        }
    }

    /// Whether the minor runs on a containerd release: at or past the listed oldest of the
    /// release's line, or on a line newer than every listed one.
    pub fn runs_on_containerd(&self, version: &str) -> bool {
        let (major, minor, _) = numbers(version);
        let lines: Vec<(u32, u32, u32)> = self.containerd.iter().map(|c| numbers(c)).collect();
        match lines.iter().find(|l| (l.0, l.1) == (major, minor)) {
            Some(oldest) => numbers(version) >= *oldest,
            None => lines.iter().all(|l| (l.0, l.1) < (major, minor)),
        }
    }

    /// The containerd releases it runs on, as a diagnostic says them: `2.3.0+ or 2.2.0+`.
    pub fn containerd_list(&self) -> String {
        let plus: Vec<String> = self.containerd.iter().map(|c| format!("{c}+")).collect();
        match plus.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

/// How a Kubernetes minor stands to a Windows release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowsSupport {
    Listed,
    Warned,
    Refused,
}

/// `2.1.4` or `v0.27.0` as (2, 1, 4); missing or non-numeric parts count as 0.
pub fn numbers(version: &str) -> (u32, u32, u32) {
    let mut parts = version
        .trim_start_matches('v')
        .split(['.', '-'])
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DistroFamily;

    fn is_date(s: &str) -> bool {
        s.len() == 10 && humantime::parse_rfc3339(&format!("{s}T00:00:00Z")).is_ok()
    }

    #[test]
    fn the_matrix_parses_and_every_date_is_a_day() {
        let m = matrix();
        assert!(is_date(&m.reviewed));
        for k in &m.kubernetes {
            assert!(is_date(&k.released), "{}: released {}", k.minor, k.released);
            assert!(is_date(&k.end_of_life), "{}: end_of_life", k.minor);
            assert!(k.released < k.end_of_life, "{}", k.minor);
            assert!(!k.sources.is_empty(), "{} has no source", k.minor);
        }
        for w in &m.windows {
            assert!(is_date(&w.end_of_support), "{}", w.name);
            for older in &w.process_isolates {
                let row = m.windows.iter().find(|o| &o.name == older);
                assert!(
                    row.is_some_and(|o| o.build < w.build),
                    "{}: {older}",
                    w.name
                );
            }
            assert!(!w.sources.is_empty(), "{} has no source", w.name);
        }
        for c in &m.components {
            assert!(!c.sources.is_empty(), "{} has no source", c.name);
        }
    }

    #[test]
    fn minors_are_in_order_and_name_only_known_windows_releases() {
        let m = matrix();
        let minors: Vec<(u32, u32, u32)> = m.kubernetes.iter().map(|k| numbers(&k.minor)).collect();
        assert!(minors.windows(2).all(|w| w[0] < w[1]), "{minors:?}");
        let names: Vec<&str> = m.windows.iter().map(|w| w.name.as_str()).collect();
        for k in &m.kubernetes {
            assert!(!k.containerd.is_empty(), "{}", k.minor);
            for w in k.windows.iter().chain(&k.windows_warned) {
                assert!(names.contains(&w.as_str()), "{}: {w}", k.minor);
            }
        }
        for c in &m.components {
            for w in &c.windows {
                assert!(names.contains(&w.as_str()), "{}: {w}", c.name);
            }
            for k in &c.kubernetes {
                assert!(
                    m.kubernetes.iter().any(|r| &r.minor == k),
                    "{}: {k}",
                    c.name
                );
            }
        }
    }

    #[test]
    fn every_windows_version_has_exactly_one_row() {
        let m = matrix();
        for v in WindowsVersion::all() {
            assert_eq!(
                m.windows.iter().filter(|w| w.name == v.name()).count(),
                1,
                "{v:?}"
            );
        }
        assert_eq!(m.windows.len(), WindowsVersion::all().len());
    }

    #[test]
    fn cgroup_rows_name_families_and_parse_as_releases() {
        for row in &matrix().cgroup_v2 {
            let family = [
                DistroFamily::Ubuntu,
                DistroFamily::Debian,
                DistroFamily::Rhel,
                DistroFamily::Centos,
                DistroFamily::Rocky,
                DistroFamily::Almalinux,
                DistroFamily::Sles,
            ]
            .into_iter()
            .find(|f| f.os_release_id() == row.family);
            assert!(family.is_some(), "{}", row.family);
            assert!(format!("{}-{}", row.family, row.from)
                .parse::<Distro>()
                .is_ok());
        }
        let m = matrix();
        assert_eq!(
            m.boots_cgroup_v2(&"ubuntu-20.04".parse().unwrap()),
            Some(false)
        );
        assert_eq!(
            m.boots_cgroup_v2(&"ubuntu-22.04".parse().unwrap()),
            Some(true)
        );
        assert_eq!(
            m.boots_cgroup_v2(&"rocky-8.10".parse().unwrap()),
            Some(false)
        );
        assert_eq!(m.boots_cgroup_v2(&"rocky-9.4".parse().unwrap()), Some(true));
    }

    #[test]
    fn every_pinnable_component_has_a_row_with_a_tag_for_a_version() {
        for name in PINNABLE {
            let c = matrix().component(name);
            assert!(
                c.version.parse::<crate::model::ComponentVersion>().is_ok(),
                "{name}: {}",
                c.version
            );
        }
    }

    #[test]
    fn a_minor_runs_on_the_containerd_lines_it_lists_and_newer_ones() {
        let m = matrix();
        let k135 = m.minor(KubeVersion::new(1, 35, 0)).unwrap();
        assert!(k135.runs_on_containerd("1.7.28"));
        assert!(!k135.runs_on_containerd("1.7.27"));
        assert!(!k135.runs_on_containerd("2.0.11"), "1.35 lists no 2.0 line");
        assert!(
            k135.runs_on_containerd("2.3.4"),
            "a line newer than every listed one"
        );
        assert!(!k135.runs_on_containerd("1.6.39"));
        let k136 = m.minor(KubeVersion::new(1, 36, 0)).unwrap();
        assert!(!k136.runs_on_containerd("1.7.34"));
        assert_eq!(k136.containerd_list(), "2.3.0+ or 2.2.0+");
    }

    #[test]
    fn versions_compare_as_numbers() {
        assert_eq!(numbers("v0.27.4"), (0, 27, 4));
        assert_eq!(numbers("2.1"), (2, 1, 0));
        assert!(numbers("1.7.29") < numbers("2.0.0"));
        assert_eq!(numbers("v1.8.0-flannel1"), (1, 8, 0));
    }
}
