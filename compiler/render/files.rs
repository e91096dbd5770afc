//! Which files each node gets and the step each belongs to: the node's own scripts and
//! configs, its network's files (from the network's module), the cluster-wide files,
//! and the cleanup scripts of removed nodes.

use crate::cluster::{Cluster, Node, NodeOs, RemovedNode};
use crate::graph::StepKind;
use crate::network::{FileStep, Place};

/// A file to render: its out path, template, step and mode.
pub(super) struct Planned<'a> {
    pub(super) path: String,
    pub(super) template: &'static str,
    pub(super) step: String,
    pub(super) node: Option<&'a Node>,
    pub(super) removed: Option<&'a RemovedNode>,
    pub(super) mode: u32,
}

pub(super) const EXECUTABLE: u32 = 0o755;
/// Every URL and image the nodes fetch, with its check (`cluster/downloads.tsv`).
pub(super) const DOWNLOADS_TSV: &str = "_cluster/downloads.tsv";
pub(super) const REGULAR: u32 = 0o644;

/// Which files each node gets, and the step each belongs to.
pub(super) fn plan_files(cluster: &Cluster) -> Vec<Planned<'_>> {
    use StepKind::{Cni, ControlPlaneJoin, Init, LinuxJoin, WindowsJoin, WindowsPrepare};
    let first = cluster.first_control_plane();
    let network = cluster.network.get();
    let docker = cluster.runs_docker();
    let plans_pod_subnets = cluster.network.plans_pod_subnets();
    let mut out = Vec::new();
    for n in &cluster.nodes {
        let file = |name: &str, template: &'static str, kind: StepKind, mode: u32| Planned {
            path: format!("{}/{}", n.name, name),
            template,
            step: step_id(kind, n),
            node: Some(n),
            removed: None,
            mode,
        };
        let is_first = n.name == first.name;
        let (setup, join) = if n.is_windows() {
            (WindowsPrepare, WindowsJoin)
        } else if is_first {
            (Init, Init)
        } else if n.is_control_plane() {
            (ControlPlaneJoin, ControlPlaneJoin)
        } else {
            (LinuxJoin, LinuxJoin)
        };
        let place = if n.is_windows() {
            Place::Windows
        } else {
            Place::Linux { first: is_first }
        };
        // The network's files of the CNI step come before the RBAC for Windows' kube-proxy,
        // the others after the node's own files: the runbook lists a step's files in order.
        let network_files = network.files(place);
        match &n.os {
            NodeOs::Windows(_) => {
                out.push(file(
                    "bootstrap.ps1",
                    "windows/bootstrap.ps1",
                    WindowsPrepare,
                    EXECUTABLE,
                ));
                if docker {
                    out.push(file(
                        "start-cri-dockerd.ps1",
                        "windows/start-cri-dockerd.ps1",
                        WindowsPrepare,
                        REGULAR,
                    ));
                } else {
                    out.push(file(
                        "containerd-config.toml",
                        "windows/containerd-config.toml",
                        WindowsPrepare,
                        REGULAR,
                    ));
                }
            }
            NodeOs::Linux(_) if is_first => {
                out.push(file(
                    "bootstrap.sh",
                    "linux/control-plane.sh",
                    Init,
                    EXECUTABLE,
                ));
                out.push(file(
                    "kubeadm-config.yaml",
                    "linux/kubeadm-config.yaml",
                    Init,
                    REGULAR,
                ));
                if plans_pod_subnets {
                    out.push(file(
                        "kubeplan-pod-cidrs.sh",
                        "linux/kubeplan-pod-cidrs.sh",
                        Init,
                        EXECUTABLE,
                    ));
                    out.push(file(
                        "kubeplan-pod-cidrs.service",
                        "linux/kubeplan-pod-cidrs.service",
                        Init,
                        REGULAR,
                    ));
                    out.push(file(
                        "kubeplan-pod-cidrs.timer",
                        "linux/kubeplan-pod-cidrs.timer",
                        Init,
                        REGULAR,
                    ));
                }
                for f in network_files.iter().filter(|f| f.step == FileStep::Cni) {
                    out.push(file(f.name, f.template, Cni, REGULAR));
                }
                if cluster.has_windows() && network.windows_kube_proxy() {
                    out.push(file(
                        "windows-kube-proxy-rbac.yaml",
                        "linux/windows-kube-proxy-rbac.yaml",
                        Cni,
                        REGULAR,
                    ));
                }
            }
            NodeOs::Linux(_) if n.is_control_plane() => out.push(file(
                "bootstrap.sh",
                "linux/control-plane-join.sh",
                ControlPlaneJoin,
                EXECUTABLE,
            )),
            NodeOs::Linux(_) => out.push(file(
                "bootstrap.sh",
                "linux/worker.sh",
                LinuxJoin,
                EXECUTABLE,
            )),
        }
        for f in network_files.iter().filter(|f| f.step != FileStep::Cni) {
            let kind = if f.step == FileStep::Join {
                join
            } else {
                setup
            };
            out.push(file(f.name, f.template, kind, REGULAR));
        }
        if !n.is_windows() && docker {
            for (unit, template) in [
                ("cri-docker.service", "linux/cri-docker.service"),
                ("cri-docker.socket", "linux/cri-docker.socket"),
            ] {
                out.push(file(unit, template, setup, REGULAR));
            }
        }
        if n.vmxnet3_fix {
            out.push(file(
                "disable_hw_offloading.service",
                "linux/disable_hw_offloading.service",
                setup,
                REGULAR,
            ));
        }
    }
    if cluster.needs_cloud_routes() {
        out.push(Planned {
            path: "_cluster/cloud-network.sh".to_owned(),
            template: "cluster/cloud-network.sh",
            step: crate::graph::Step::new(StepKind::Cloud, None).id,
            node: None,
            removed: None,
            mode: EXECUTABLE,
        });
    }
    // What the site mirrors before any node runs; no node reads it, so the runbook names it
    // apart from the steps' files.
    out.push(Planned {
        path: DOWNLOADS_TSV.to_owned(),
        template: "cluster/downloads.tsv",
        step: step_id(Init, first),
        node: None,
        removed: None,
        mode: REGULAR,
    });
    if plans_pod_subnets {
        out.push(Planned {
            path: "_cluster/routes.tsv".to_owned(),
            template: "cluster/routes.tsv",
            step: step_id(Init, first),
            node: None,
            removed: None,
            mode: REGULAR,
        });
    }
    out
}

/// The units files are rendered in: all the files of one node (next to each other in
/// `plan_files`), and every other file on its own.
pub(super) fn units<'p, 'a>(planned: &'p [Planned<'a>]) -> impl Iterator<Item = &'p [Planned<'a>]> {
    planned.chunk_by(|a, b| matches!((a.node, b.node), (Some(x), Some(y)) if x.name == y.name))
}

/// `_cleanup/NODE/`: drain and delete (on a control-plane node), then reset (on the node).
pub(super) fn cleanup_files(removed: &[RemovedNode]) -> Vec<Planned<'_>> {
    let mut out = Vec::with_capacity(removed.len() * 2);
    for r in removed {
        let step = crate::graph::Step::new(StepKind::Cleanup, Some(&r.name)).id;
        let (reset, template) = if r.windows {
            ("reset.ps1", "cleanup/reset.ps1")
        } else {
            ("reset.sh", "cleanup/reset.sh")
        };
        for (name, template) in [
            ("remove-node.sh", "cleanup/remove-node.sh"),
            (reset, template),
        ] {
            out.push(Planned {
                path: format!("_cleanup/{}/{name}", r.name),
                template,
                step: step.clone(),
                node: None,
                removed: Some(r),
                mode: EXECUTABLE,
            });
        }
    }
    out
}

fn step_id(kind: StepKind, n: &Node) -> String {
    crate::graph::Step::new(kind, Some(&n.name)).id
}
