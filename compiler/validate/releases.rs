//! Rules from the release matrix (`releases/matrix.toml`): a Kubernetes release the matrix
//! knows, its end of life, the Windows releases and containerd it runs on, what it needs
//! of a Linux node, and the components whose Windows support upstream has ended.

use crate::diagnostic::{Code, Diagnostic, Diagnostics, Span};
use crate::model::{Os, Runtime};
use crate::releases::{matrix, KubeMinor, Requirement, Today, WindowsSupport};
use crate::spec::Spec;

pub(super) fn check(spec: &Spec, diags: &mut Diagnostics) {
    let Some(minor) = check_known(spec, diags) else {
        return;
    };
    let today = match crate::releases::today() {
        Ok(t) => Some(t),
        Err(e) => {
            diags.push(
                Diagnostic::error(Code::Input, None, e)
                    .with_help("set KUBEPLAN_TODAY to a date such as 2026-12-03, or unset it"),
            );
            None
        }
    };
    if let Some(today) = &today {
        check_end_of_life(spec, minor, today, diags);
    }
    check_windows(spec, minor, today.as_ref(), diags);
    check_containerd(spec, minor, diags);
    check_requirements(spec, minor, diags);
    check_components(spec, minor, diags);
}

/// The matrix's row of the spec's minor; an error when the minor or the patch is unknown.
fn check_known<'m>(spec: &Spec, diags: &mut Diagnostics) -> Option<&'m KubeMinor> {
    let m = matrix();
    let version = &spec.cluster.kubernetes_version;
    let v = version.value;
    let Some(minor) = m.minor(v) else {
        diags.push(
            Diagnostic::error(
                Code::KubernetesVersion,
                Some(version.span.clone()),
                format!("Kubernetes {v} is not a release kubeplan knows"),
            )
            .with_help(format!(
                "use one of {} (docs/releases.md)",
                m.known_kubernetes()
            )),
        );
        return None;
    };
    let allowed = spec
        .cluster
        .releases
        .allow_newer_patch
        .as_ref()
        .is_some_and(|a| a.value);
    if v.patch > minor.latest_patch && !allowed {
        diags.push(
            Diagnostic::error(
                Code::KubernetesVersion,
                Some(version.span.clone()),
                format!(
                    "Kubernetes {v} is newer than {}.{}, the newest patch of {} kubeplan knows",
                    minor.minor, minor.latest_patch, minor.minor
                ),
            )
            .with_help(format!(
                "use one of {}; if {v} has been released, set releases {{ allow_newer_patch = true }} in the cluster block",
                m.known_kubernetes()
            )),
        );
    }
    Some(minor)
}

fn check_end_of_life(spec: &Spec, minor: &KubeMinor, today: &Today, diags: &mut Diagnostics) {
    let version = &spec.cluster.kubernetes_version;
    if today.is_after(&minor.end_of_life) {
        let newest = &matrix()
            .kubernetes
            .last()
            .expect("the matrix has minors")
            .minor;
        diags.push(
            Diagnostic::warning(
                Code::EndOfLife,
                Some(version.span.clone()),
                format!(
                    "Kubernetes {} reached end of life on {}",
                    minor.minor, minor.end_of_life
                ),
            )
            .with_help(format!(
                "it gets no more fixes; upgrade one minor at a time towards {newest} (docs/releases.md)"
            )),
        );
    }
}

/// Each Windows node's release, as the minor's row lists it.
fn check_windows(spec: &Spec, minor: &KubeMinor, today: Option<&Today>, diags: &mut Diagnostics) {
    let listed = minor.windows.join(", ");
    for n in &spec.nodes {
        let Some(w) = &n.windows_version else {
            continue;
        };
        let release = matrix().windows(w.value);
        let what = format!(
            "Windows Server {} (build {}) with Kubernetes {}",
            w.value, release.build, minor.minor
        );
        let support = minor.windows_support(w.value);
        if let (Some(today), true) = (today, support != WindowsSupport::Refused) {
            check_windows_end_of_support(today, w, release, diags);
        }
        match support {
            WindowsSupport::Listed => {}
            WindowsSupport::Warned => diags.push(
                Diagnostic::warning(
                    Code::WindowsRelease,
                    Some(w.span.clone()),
                    format!("{what} is past upstream's support"),
                )
                .with_help(format!(
                    "Kubernetes {} lists {listed}; the node still runs, but upstream no longer tests it (docs/releases.md)",
                    minor.minor
                )),
            ),
            WindowsSupport::Refused => diags.push(
                Diagnostic::error(
                    Code::WindowsRelease,
                    Some(w.span.clone()),
                    format!("{what} is not supported"),
                )
                .with_help(format!(
                    "Kubernetes {} supports {listed}; Windows containers must match the host's build, so the node needs a new OS image (docs/releases.md)",
                    minor.minor
                )),
            ),
        }
    }
}

/// A Windows release past Microsoft's end of support gets no security updates.
fn check_windows_end_of_support(
    today: &Today,
    w: &crate::spec::Spanned<crate::model::WindowsVersion>,
    release: &crate::releases::WindowsRelease,
    diags: &mut Diagnostics,
) {
    if today.is_after(&release.end_of_support) {
        diags.push(
            Diagnostic::warning(
                Code::WindowsRelease,
                Some(w.span.clone()),
                format!(
                    "Windows Server {} reached the end of Microsoft's support on {}",
                    w.value, release.end_of_support
                ),
            )
            .with_help("it gets no more security updates; move the node to ltsc2022 or ltsc2025, with container images of that build (docs/releases.md)"),
        );
    }
}

/// containerd on Windows (the matrix's or the spec's pin) against the minor's list; on
/// Linux, where the distribution's package is installed, a warning when the minor needs
/// containerd 2.
fn check_containerd(spec: &Spec, minor: &KubeMinor, diags: &mut Diagnostics) {
    let c = &spec.cluster;
    if c.container_runtime.value != Runtime::Containerd {
        return;
    }
    let has_linux = spec.nodes.iter().any(|n| n.os.value == Os::Linux);
    if has_linux && !minor.containerd.iter().any(|v| v.starts_with("1.")) {
        diags.push(
            Diagnostic::warning(
                Code::ComponentVersion,
                Some(c.kubernetes_version.span.clone()),
                format!(
                    "Kubernetes {} runs on containerd {} only, and the Linux nodes install their distribution's containerd",
                    minor.minor,
                    minor.containerd_list()
                ),
            )
            .with_help("Ubuntu, Debian and SUSE packages and download.docker.com's containerd.io may still be containerd 1.7; check `containerd --version` on each Linux node after its packages step, or use Kubernetes 1.35 (docs/releases.md)"),
        );
    }
    let has_windows = spec.nodes.iter().any(|n| n.os.value == Os::Windows);
    if !has_windows {
        return;
    }
    let pin = c.releases.version("containerd");
    let version = pin.map_or_else(
        || matrix().component("containerd").version.clone(),
        |p| p.value.as_str().to_owned(),
    );
    if !minor.runs_on_containerd(&version) {
        let span = pin.map(|p| p.span.clone());
        diags.push(
            Diagnostic::error(
                Code::ComponentVersion,
                span.or_else(|| Some(c.kubernetes_version.span.clone())),
                format!(
                    "Kubernetes {} does not run on containerd {version}",
                    minor.minor
                ),
            )
            .with_help(format!(
                "it runs on containerd {} (containerd's RELEASES.md); pin one of those in releases {{ containerd {{ version = ... }} }}, or remove the pin to install {}",
                minor.containerd_list(),
                matrix().component("containerd").version
            )),
        );
    }
}

/// Every Linux node's distribution against what the minor's kubelet needs of its host.
fn check_requirements(spec: &Spec, minor: &KubeMinor, diags: &mut Diagnostics) {
    for req in &minor.requires {
        match req {
            Requirement::CgroupV2 => {
                for n in &spec.nodes {
                    let Some(d) = &n.distro else { continue };
                    let need = req.describe();
                    match matrix().boots_cgroup_v2(&d.value) {
                        Some(true) => {}
                        Some(false) => diags.push(
                            Diagnostic::error(
                                Code::NodeRequirement,
                                Some(d.span.clone()),
                                format!(
                                    "{} boots with cgroup v1; Kubernetes {} needs {need}",
                                    d.value, minor.minor
                                ),
                            )
                            .with_help("use a release that boots cgroup v2 (docs/releases.md lists them), or a Kubernetes minor before 1.35"),
                        ),
                        None => diags.push(
                            Diagnostic::warning(
                                Code::NodeRequirement,
                                Some(d.span.clone()),
                                format!(
                                    "kubeplan does not know whether {} boots with cgroup v2, which Kubernetes {} needs",
                                    d.value, minor.minor
                                ),
                            )
                            .with_help("check `stat -fc %T /sys/fs/cgroup` prints cgroup2fs on the node before bootstrap"),
                        ),
                    }
                }
            }
        }
    }
}

/// Components the cluster installs: known to work with the minor, still maintained for
/// Windows, and run on Windows releases they list.
fn check_components(spec: &Spec, minor: &KubeMinor, diags: &mut Diagnostics) {
    let c = &spec.cluster;
    let windows: Vec<_> = spec
        .nodes
        .iter()
        .filter_map(|n| n.windows_version.as_ref())
        .collect();
    if windows.is_empty() {
        return;
    }
    let network = crate::network::Kind::select(c.network.plugin.value, c.network.mode.value);
    let runtime = c.container_runtime.span.clone();
    let mut used: Vec<(&str, Span)> = match c.container_runtime.value {
        Runtime::Docker => vec![("docker", runtime.clone()), ("cri_dockerd", runtime)],
        Runtime::Containerd => vec![("containerd", runtime)],
    };
    for base in ["cni_plugins", "windows_cni", "pause"] {
        used.push((base, c.kubernetes_version.span.clone()));
    }
    if let Some(kind) = network {
        for name in kind.get().components() {
            used.push((name, c.network.plugin.span.clone()));
        }
    }
    for (name, span) in used {
        let row = matrix().component(name);
        if let Some(reason) = &row.legacy {
            diags.push(
                Diagnostic::warning(Code::Legacy, Some(span.clone()), format!("{}: {reason}", row.title))
                    .with_help("it still works as kubeplan generates it, but a new cluster should not depend on it (docs/releases.md)"),
            );
        }
        if !row.kubernetes.is_empty() && !row.kubernetes.iter().any(|k| k == &minor.minor) {
            diags.push(
                Diagnostic::warning(
                    Code::ComponentVersion,
                    Some(span.clone()),
                    format!(
                        "{} {} is not known to work with Kubernetes {}",
                        row.title, row.version, minor.minor
                    ),
                )
                .with_help(format!(
                    "it is listed for Kubernetes {} (docs/releases.md)",
                    row.kubernetes.join(", ")
                )),
            );
        }
        if row.windows.is_empty() {
            continue;
        }
        for w in &windows {
            if !row.windows.iter().any(|r| r == w.value.name()) {
                diags.push(
                    Diagnostic::error(
                        if name == "calico" {
                            Code::Calico
                        } else {
                            Code::ComponentVersion
                        },
                        Some(w.span.clone()),
                        format!(
                            "{} {} does not support Windows Server {}",
                            row.title, row.version, w.value
                        ),
                    )
                    .with_help(format!(
                        "its Windows support lists {} (docs/releases.md)",
                        row.windows.join(", ")
                    )),
                );
            }
        }
    }
}
