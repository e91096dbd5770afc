//! The words and values of the domain, shared by every stage: operating systems, roles,
//! runtimes, platforms, network modes, Windows releases, Linux distros, versions and names.

pub mod keyword;
mod names;
mod version;
mod windows;

pub use keyword::Keyword;
pub use names::{CaCertHash, Distro, DistroFamily, Endpoint, NodeName, PackageManager};
pub use version::{ComponentVersion, KubeVersion};
pub use windows::{Isolation, WindowsVersion};

use keyword::keyword_enum;

keyword_enum! {
    /// The operating system of a node.
    Os, "operating system" {
        Linux = "linux",
        Windows = "windows",
    }
}

keyword_enum! {
    /// A Kubernetes role, as Rancher names them.
    Role, "role" {
        ControlPlane = "controlplane",
        Etcd = "etcd",
        Worker = "worker",
    }
}

keyword_enum! {
    /// The container runtime every node uses.
    Runtime, "container runtime" {
        Containerd = "containerd",
        Docker = "docker",
    }
}

keyword_enum! {
    /// Where the machines run; decides platform fixes such as the vSphere vmxnet3 unit.
    Platform, "platform" {
        BareMetal = "bare-metal",
        Vsphere = "vsphere",
        Aws = "aws",
        Gce = "gce",
        Azure = "azure",
    }
}

keyword_enum! {
    /// How pod traffic crosses nodes.
    NetworkMode, "network mode" {
        Vxlan = "vxlan",
        HostGw = "host-gw",
        L3Upstream = "l3-upstream",
    }
}

impl Platform {
    /// AWS, GCE and Azure: clouds whose network drops pod traffic unless told about it.
    pub fn is_cloud(self) -> bool {
        matches!(self, Platform::Aws | Platform::Gce | Platform::Azure)
    }
}

impl NetworkMode {
    /// True for the modes without an overlay, where the host network routes each node's
    /// pod subnet to the node (host-gw, l3-upstream): the clouds must be told about them.
    pub fn routes_pod_subnets(self) -> bool {
        matches!(self, NetworkMode::HostGw | NetworkMode::L3Upstream)
    }
}
