//! `render`: the artifacts of a cluster, each from a template under `templates/`
//! (embedded in the binary), in graph order.

mod context;
pub mod quote;
mod versions;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use include_dir::{include_dir, Dir};
use serde::Serialize;
use tera::{Kwargs, State, Tera};

use crate::cluster::{Cluster, Node, NodeOs, RemovedNode};
use crate::graph::{Graph, StepKind};
use context::{ClusterCtx, NodeCtx};
pub use versions::Versions;

static TEMPLATES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// One generated file, relative to the out dir.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Artifact {
    /// `/`-separated path under the out dir, e.g. `win-1/bootstrap.ps1`.
    pub path: String,
    pub content: String,
    /// Unix permission bits the file is written with.
    pub mode: u32,
    /// The id of the graph step the artifact belongs to.
    pub step: String,
    /// The node the artifact is for; `None` for cluster-wide files.
    pub node: Option<String>,
}

/// A template failed to render: a bug in kubeplan, never in the spec.
#[derive(Debug)]
pub struct RenderError(pub String);

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "internal error while rendering: {}", self.0)
    }
}

impl std::error::Error for RenderError {}

/// The templates, parsed once per process.
fn engine() -> Result<&'static Tera, RenderError> {
    static ENGINE: OnceLock<Result<Tera, String>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let mut tera = Tera::new();
            tera.autoescape_on(Vec::<&str>::new());
            tera.register_filter("sh", |s: &str, _: Kwargs, _: &State| quote::sh(s));
            tera.register_filter("ps", |s: &str, _: Kwargs, _: &State| quote::ps(s));
            tera.register_filter("json", |s: &str, _: Kwargs, _: &State| quote::json(s));
            let mut files = Vec::new();
            collect(&TEMPLATES, &mut files);
            tera.add_raw_templates(files)
                .map_err(|e| format!("{e:?}"))?;
            Ok(tera)
        })
        .as_ref()
        .map_err(|e| RenderError(e.clone()))
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<(&'static str, &'static str)>) {
    for file in dir.files() {
        if let (Some(name), Some(text)) = (file.path().to_str(), file.contents_utf8()) {
            out.push((name, text));
        }
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}

/// What a template sees.
#[derive(Serialize)]
struct TemplateCtx<'a> {
    cluster: &'a ClusterCtx,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<&'a NodeCtx>,
    #[serde(skip_serializing_if = "Option::is_none")]
    steps: Option<&'a [context::StepCtx]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    routes: Option<&'a [context::RouteCtx]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    removed: Option<context::RemovedCtx>,
    /// The routes of removed nodes, for the templates that list every node.
    #[serde(skip_serializing_if = "Option::is_none")]
    gone: Option<&'a [context::GoneRouteCtx]>,
    /// The sample workload a workload template writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    workload: Option<&'a context::WorkloadCtx>,
}

/// A file to render: its out path, template, step and mode.
struct Planned<'a> {
    path: String,
    template: &'static str,
    step: String,
    node: Option<&'a Node>,
    removed: Option<&'a RemovedNode>,
    mode: u32,
}

/// The templates that list every node: the route table of the routed modes and the
/// cloud network script. Both are cluster artifacts, so adding a node rewrites only them.
const NODE_TABLE_TEMPLATES: [&str; 2] = ["cluster/routes.tsv", "cluster/cloud-network.sh"];

const EXECUTABLE: u32 = 0o755;
const REGULAR: u32 = 0o644;

/// Renders every artifact of the cluster and the cleanup scripts of removed nodes,
/// sorted by step order then path.
pub fn render(
    cluster: &Cluster,
    graph: &Graph,
    removed: &[RemovedNode],
) -> Result<Vec<Artifact>, RenderError> {
    let tera = engine()?;
    let cluster_ctx = ClusterCtx::new(cluster);
    let mut planned = plan_files(cluster);
    planned.extend(cleanup_files(removed));

    let mut by_step: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for p in &planned {
        by_step
            .entry(p.step.as_str())
            .or_default()
            .push(p.path.clone());
    }
    let workloads = context::workloads(cluster);
    let workloads_step = crate::graph::Step::new(StepKind::Workloads, None).id;
    let workload_path = |w: &context::WorkloadCtx| format!("_cluster/workloads/{}.yaml", w.name);
    if !workloads.is_empty() {
        by_step.insert(
            workloads_step.as_str(),
            workloads.iter().map(workload_path).collect(),
        );
    }
    let steps = context::steps(cluster, graph, |id| {
        by_step.get(id).cloned().unwrap_or_default()
    });

    let routes = context::routes(cluster);
    let gone = context::gone_routes(cluster, removed);
    let mut artifacts = Vec::with_capacity(planned.len() + 1);
    let node_ctxs: std::collections::HashMap<&str, NodeCtx> = cluster
        .nodes
        .iter()
        .map(|n| (n.name.as_str(), NodeCtx::new(cluster, n)))
        .collect();
    for p in &planned {
        let node = p.node.and_then(|n| node_ctxs.get(n.name.as_str()));
        let node_table = NODE_TABLE_TEMPLATES.contains(&p.template);
        let content = render_one(
            tera,
            p.template,
            &TemplateCtx {
                cluster: &cluster_ctx,
                node,
                steps: None,
                routes: node_table.then_some(routes.as_slice()),
                removed: p.removed.map(|r| context::RemovedCtx::new(cluster, r)),
                gone: node_table.then_some(gone.as_slice()),
                workload: None,
            },
        )?;
        artifacts.push(Artifact {
            path: p.path.clone(),
            content,
            mode: p.mode,
            step: p.step.clone(),
            node: p.node.map(|n| n.name.to_string()),
        });
    }
    for w in &workloads {
        artifacts.push(Artifact {
            path: workload_path(w),
            content: render_one(
                tera,
                "cluster/iis.yaml",
                &TemplateCtx {
                    cluster: &cluster_ctx,
                    node: None,
                    steps: None,
                    routes: None,
                    removed: None,
                    gone: None,
                    workload: Some(w),
                },
            )?,
            mode: REGULAR,
            step: workloads_step.clone(),
            node: None,
        });
    }
    let rank: BTreeMap<&str, usize> = graph
        .steps()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let key = |a: &Artifact| rank.get(a.step.as_str()).copied().unwrap_or(usize::MAX);
    artifacts.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.path.cmp(&b.path)));
    artifacts.push(Artifact {
        path: "runbook.md".to_owned(),
        content: render_one(
            tera,
            "cluster/runbook.md",
            &TemplateCtx {
                cluster: &cluster_ctx,
                node: None,
                steps: Some(&steps),
                routes: None,
                removed: None,
                gone: None,
                workload: None,
            },
        )?,
        mode: REGULAR,
        step: graph
            .steps()
            .next()
            .map(|s| s.id.clone())
            .unwrap_or_default(),
        node: None,
    });
    Ok(artifacts)
}

fn render_one(tera: &Tera, template: &str, ctx: &TemplateCtx<'_>) -> Result<String, RenderError> {
    let context = tera::Context::from_serialize(ctx)
        .map_err(|e| RenderError(format!("{template}: {e:?}")))?;
    tera.render(template, &context)
        .map_err(|e| RenderError(format!("{template}: {e:?}")))
}

/// Which files each node gets, and the step each belongs to.
fn plan_files(cluster: &Cluster) -> Vec<Planned<'_>> {
    use StepKind::{Cni, ControlPlaneJoin, Init, LinuxJoin, WindowsJoin, WindowsPrepare};
    let first = cluster.first_control_plane();
    let flannel = cluster.network.runs_flannel();
    let calico = cluster.network.runs_calico();
    let bridges = cluster.network.bridges();
    let docker = cluster.runs_docker();
    let routed = cluster.network.plans_pod_subnets();
    let ovn = cluster.network.runs_ovn();
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
        let linux_step = if is_first {
            Init
        } else if n.is_control_plane() {
            ControlPlaneJoin
        } else {
            LinuxJoin
        };
        match &n.os {
            NodeOs::Windows(_) => {
                out.push(file(
                    "bootstrap.ps1",
                    "windows/bootstrap.ps1",
                    WindowsPrepare,
                    EXECUTABLE,
                ));
                if flannel {
                    out.push(file(
                        "10-flannel.json",
                        "windows/10-flannel.json",
                        WindowsPrepare,
                        REGULAR,
                    ));
                    out.push(file(
                        "net-conf.json",
                        "windows/net-conf.json",
                        WindowsPrepare,
                        REGULAR,
                    ));
                    out.push(file(
                        "start-flanneld.ps1",
                        "windows/start-flanneld.ps1",
                        WindowsJoin,
                        REGULAR,
                    ));
                } else if ovn {
                    out.push(file(
                        "10-ovn.json",
                        "windows/10-ovn.json",
                        WindowsPrepare,
                        REGULAR,
                    ));
                } else if bridges {
                    out.push(file(
                        "10-l2bridge.json",
                        "windows/10-l2bridge.json",
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
                if flannel {
                    out.push(file(
                        "kube-flannel.yml",
                        "linux/kube-flannel.yml",
                        Cni,
                        REGULAR,
                    ));
                }
                if calico {
                    out.push(file("calico.yaml", "linux/calico.yaml", Cni, REGULAR));
                }
                if routed {
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
                if cluster.has_windows() && !ovn {
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
        if !n.is_windows() && bridges {
            out.push(file(
                "10-bridge.conflist",
                "linux/10-bridge.conflist",
                linux_step,
                REGULAR,
            ));
        }
        if !n.is_windows() && docker {
            for (unit, template) in [
                ("cri-docker.service", "linux/cri-docker.service"),
                ("cri-docker.socket", "linux/cri-docker.socket"),
            ] {
                out.push(file(unit, template, linux_step, REGULAR));
            }
        }
        if n.vmxnet3_fix {
            out.push(file(
                "disable_hw_offloading.service",
                "linux/disable_hw_offloading.service",
                linux_step,
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
    if routed {
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

/// `_cleanup/NODE/`: drain and delete (on a control-plane node), then reset (on the node).
fn cleanup_files(removed: &[RemovedNode]) -> Vec<Planned<'_>> {
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
