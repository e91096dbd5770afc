//! The upstream releases the scripts install: the release matrix's pinned versions
//! (`releases/matrix.toml`), or the versions the spec's `releases` block pins instead.

use serde::Serialize;

use crate::releases::{matrix, Mirror};

/// The version of everything the scripts download.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Versions {
    /// containerd for Windows nodes (Linux nodes take their distribution's package).
    pub containerd: String,
    /// flannel: the Linux DaemonSet image and `flanneld.exe` on Windows.
    pub flannel: String,
    /// flannel's CNI plugin (image on Linux, `flannel.exe` on Windows).
    pub flannel_cni_plugin: String,
    /// containernetworking/plugins for Windows (`host-local.exe` reserves kube-proxy's source VIP).
    pub cni_plugins: String,
    /// microsoft/windows-container-networking (`sdnoverlay.exe`, `sdnbridge.exe`).
    pub windows_cni: String,
    /// Calico: the Tigera operator manifest and, through it, calico-node on Linux and Windows.
    pub calico: String,
    /// Docker Engine's static Windows build, for `container_runtime = "docker"`.
    pub docker_windows: String,
    /// Mirantis cri-dockerd: the CRI in front of Docker since Kubernetes 1.24.
    pub cri_dockerd: String,
    /// The pod sandbox image of every node, with a manifest for every Windows release the
    /// matrix supports; from the mirror's registry when there is one.
    pub pause_image: String,
}

impl Versions {
    /// The version of the matrix component `name`, when it is one of these.
    pub fn of(&self, name: &str) -> Option<&str> {
        Some(match name {
            "containerd" => &self.containerd,
            "flannel" => &self.flannel,
            "flannel_cni_plugin" => &self.flannel_cni_plugin,
            "cni_plugins" => &self.cni_plugins,
            "windows_cni" => &self.windows_cni,
            "calico" => &self.calico,
            "docker" => &self.docker_windows,
            "cri_dockerd" => &self.cri_dockerd,
            _ => return None,
        })
    }

    /// The matrix's versions, with `pinned(component)` in place of any the spec pins.
    pub fn resolve(pinned: &dyn Fn(&str) -> Option<String>, mirror: &Mirror) -> Self {
        let v =
            |name: &str| pinned(name).unwrap_or_else(|| matrix().component(name).version.clone());
        Versions {
            containerd: v("containerd"),
            flannel: v("flannel"),
            flannel_cni_plugin: v("flannel_cni_plugin"),
            cni_plugins: v("cni_plugins"),
            windows_cni: v("windows_cni"),
            calico: v("calico"),
            docker_windows: v("docker"),
            cri_dockerd: v("cri_dockerd"),
            pause_image: mirror.image(&format!("registry.k8s.io/pause:{}", v("pause"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn of_names_every_component_the_scripts_install_at_its_resolved_version() {
        let pinned = |name: &str| (name == "flannel").then(|| "v9.9.9".to_owned());
        let v = Versions::resolve(&pinned, &Mirror::default());
        for name in [
            "containerd",
            "flannel_cni_plugin",
            "cni_plugins",
            "windows_cni",
            "calico",
            "docker",
            "cri_dockerd",
        ] {
            assert_eq!(
                v.of(name),
                Some(matrix().component(name).version.as_str()),
                "{name}"
            );
        }
        assert_eq!(v.of("flannel"), Some("v9.9.9"));
        assert_eq!(v.of("openvswitch"), None);
    }
}
