//! `render`: the artifacts of a cluster, each from a template under `templates/`
//! (embedded in the binary), in graph order.

mod context;
pub mod quote;
mod versions;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock};

use include_dir::{include_dir, Dir};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tera::{Kwargs, State, Tera};

use crate::cluster::{Cluster, Node, NodeOs, RemovedNode};
use crate::graph::{Graph, StepKind};
use crate::network::{FileStep, Kind, Place};
use context::{ClusterCtx, NodeCtx};
pub use versions::Versions;

static TEMPLATES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// One generated file, relative to the out dir.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    /// `/`-separated path under the out dir, e.g. `win-1/bootstrap.ps1`.
    pub path: String,
    /// Its text, or that the file in the out dir is its text.
    pub content: Content,
    /// The SHA-256 of the content, lowercase hex.
    pub sha256: String,
    /// Unix permission bits the file is written with.
    pub mode: u32,
    /// The id of the graph step the artifact belongs to.
    pub step: String,
    /// The node the artifact is for; `None` for cluster-wide files.
    pub node: Option<String>,
}

/// What an artifact holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// The text this compile rendered: every artifact of [`render`].
    Rendered(String),
    /// Not rendered, kept as recorded: the last apply recorded the same inputs for the
    /// artifact's node and left exactly this file in the out dir (see [`Recorded`]), so
    /// the file there is the content, and the artifact's `sha256` its hash.
    KeptAsRecorded,
}

impl Artifact {
    /// The text of an artifact that was rendered; none when it was kept as recorded.
    pub fn text(&self) -> Option<&str> {
        match &self.content {
            Content::Rendered(text) => Some(text),
            Content::KeptAsRecorded => None,
        }
    }
}

/// What the last apply left, so that a node whose inputs did not change is not rendered
/// again: implemented over the state and the out dir by `incremental::LastApply`.
pub trait Recorded: Sync {
    /// The SHA-256 of the file at `path`, if the last apply recorded `inputs` for `node`
    /// and wrote this file with `mode`, and the out dir still holds exactly that file.
    fn unchanged(&self, node: &str, inputs: &str, path: &str, mode: u32) -> Option<String>;
}

/// The artifacts of a cluster, and the hash of each node's inputs.
pub struct Rendered {
    /// Every artifact, sorted by step order then path, the runbook last.
    pub artifacts: Vec<Artifact>,
    /// Per node: SHA-256 over everything its artifacts are rendered from (this build of
    /// kubeplan, the templates, the cluster's and the node's context, its file list).
    pub inputs: BTreeMap<String, String>,
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

/// The templates, parsed once per process and network, and their digest.
struct Engine {
    tera: Tera,
    /// SHA-256 over this kubeplan's version, the rendering code and every template's name
    /// and text: part of each node's inputs, so a new kubeplan, a changed filter or
    /// changed templates render every node again.
    digest: [u8; 32],
}

/// The names under which the OS templates include the cluster's network partials, and
/// where each network's partial of that name is (named by
/// [`PodNetwork::partials`](crate::network::PodNetwork::partials)).
const NETWORK_PARTIALS: [(&str, &str, &str); 3] = [
    ("windows/network.ps1", "windows/network/", ".ps1"),
    ("linux/network.sh", "linux/network/", ".sh"),
    ("cluster/network.md", "cluster/network/", ".md"),
];

/// The name under which cloud-network.sh includes the cloud's partial, and the partial of
/// a platform that is not a cloud.
const CLOUD_PARTIAL: &str = "cluster/cloud.sh";
const NO_CLOUD: &str = "none";

/// The templates for a cluster of the network `kind` on a cloud (its partial's name, or
/// [`NO_CLOUD`]): every template under its own name, and the network's and the cloud's
/// partials also under the names the templates include.
fn engine(kind: Kind, cloud: &'static str) -> Result<&'static Engine, RenderError> {
    type Engines = HashMap<(Kind, &'static str), Result<&'static Engine, String>>;
    static ENGINES: OnceLock<Mutex<Engines>> = OnceLock::new();
    let mut engines = ENGINES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    engines
        .entry((kind, cloud))
        .or_insert_with(|| build_engine(kind, cloud).map(|e| &*Box::leak(Box::new(e))))
        .clone()
        .map_err(RenderError)
}

fn build_engine(kind: Kind, cloud: &str) -> Result<Engine, String> {
    let mut tera = Tera::new();
    tera.autoescape_on(Vec::<&str>::new());
    // `sh(quoted=true)` for an assignment's value: always in single quotes.
    tera.register_filter("sh", |s: &str, kwargs: Kwargs, _: &State| {
        let quoted: Option<bool> = kwargs.get("quoted")?;
        Ok::<_, tera::Error>(if quoted == Some(true) {
            quote::sh_quoted(s)
        } else {
            quote::sh(s)
        })
    });
    tera.register_filter("ps", |s: &str, _: Kwargs, _: &State| quote::ps(s));
    tera.register_filter("json", |s: &str, _: Kwargs, _: &State| quote::json(s));
    // Ends every `if / elif` chain over a kind, so that a kind a template does not
    // know fails the render instead of falling into another kind's branch.
    tera.register_function("error", |kwargs: Kwargs, _: &State| {
        let message: String = kwargs.must_get("message")?;
        Err::<String, _>(tera::Error::message(message))
    });
    let mut files = Vec::new();
    collect(&TEMPLATES, &mut files);
    files.sort_unstable();
    let mut digest = Framed::default();
    digest.field(env!("CARGO_PKG_VERSION").as_bytes());
    // The code that turns a context into text: this module and the quoting filters.
    digest.field(include_str!("mod.rs").as_bytes());
    digest.field(include_str!("quote.rs").as_bytes());
    for (name, text) in &files {
        digest.field(name.as_bytes());
        digest.field(text.as_bytes());
    }
    let partials = kind.get().partials();
    let mut aliases = Vec::new();
    for (alias, dir, ext) in NETWORK_PARTIALS {
        let own = format!("{dir}{partials}{ext}");
        let text = files
            .iter()
            .find(|(name, _)| *name == own)
            .map(|(_, text)| *text)
            .ok_or_else(|| format!("the network {kind:?} has no partial {own}"))?;
        aliases.push((alias, text));
    }
    let own = format!("cluster/cloud/{cloud}.sh");
    let text = files
        .iter()
        .find(|(name, _)| *name == own)
        .map(|(_, text)| *text)
        .ok_or_else(|| format!("the cloud {cloud} has no partial {own}"))?;
    aliases.push((CLOUD_PARTIAL, text));
    tera.add_raw_templates(files.into_iter().chain(aliases))
        .map_err(|e| format!("{e:?}"))?;
    Ok(Engine {
        tera,
        digest: digest.finish(),
    })
}

/// SHA-256 over a sequence of fields, each preceded by its length, so that no two
/// different sequences hash the same bytes.
#[derive(Default)]
struct Framed(Sha256);

impl Framed {
    fn field(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }
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

/// What a template sees besides `cluster` and `node`, which are converted to template
/// values once (per cluster, per node) rather than for every file.
#[derive(Serialize, Default)]
struct TemplateCtx<'a> {
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

/// A context as a template value.
fn value<T: Serialize>(what: &str, ctx: &T) -> Result<tera::Value, RenderError> {
    tera::Value::try_from_serializable(ctx).map_err(|e| RenderError(format!("{what}: {e:?}")))
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
    render_since(cluster, graph, removed, None).map(|r| r.artifacts)
}

/// `render`, with each node's inputs hash; given what the last apply `recorded`, the
/// files of a node whose inputs and files are unchanged are not rendered again (their
/// `content` is `None`). Nodes are rendered in parallel; the result does not depend on
/// the number of threads.
pub fn render_since(
    cluster: &Cluster,
    graph: &Graph,
    removed: &[RemovedNode],
    recorded: Option<&dyn Recorded>,
) -> Result<Rendered, RenderError> {
    let engine = engine(cluster.network.kind, cloud_partial(cluster))?;
    let cluster_ctx = ClusterCtx::new(cluster);
    let cluster_json = serde_json::to_vec(&cluster_ctx)
        .map_err(|e| RenderError(format!("cluster context: {e}")))?;
    let planned = plan_files(cluster);
    let cleanup = cleanup_files(removed);

    let mut by_step: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for p in planned.iter().chain(&cleanup) {
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
    let shared = Shared {
        engine,
        cluster: value("cluster context", &cluster_ctx)?,
        cluster_json: &cluster_json,
        routes: &routes,
        gone: &gone,
        recorded,
    };
    let units: Vec<&[Planned<'_>]> = units(&planned).chain(units(&cleanup)).collect();
    let done: Vec<Unit> = units
        .par_iter()
        .map(|unit| shared.unit(cluster, unit))
        .collect::<Result<_, _>>()?;
    let mut inputs = BTreeMap::new();
    let mut artifacts = Vec::with_capacity(planned.len() + cleanup.len() + workloads.len() + 1);
    for unit in done {
        inputs.extend(unit.inputs);
        artifacts.extend(unit.files);
    }
    for w in &workloads {
        let content = shared.render_one(
            "cluster/iis.yaml",
            None,
            &TemplateCtx {
                workload: Some(w),
                ..TemplateCtx::default()
            },
        )?;
        artifacts.push(Artifact::rendered(
            workload_path(w),
            content,
            REGULAR,
            workloads_step.clone(),
            None,
        ));
    }
    let rank: HashMap<&str, usize> = graph
        .steps()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut ranked: Vec<(usize, Artifact)> = artifacts
        .into_iter()
        .map(|a| (rank.get(a.step.as_str()).copied().unwrap_or(usize::MAX), a))
        .collect();
    ranked.sort_unstable_by(|(ra, a), (rb, b)| ra.cmp(rb).then_with(|| a.path.cmp(&b.path)));
    let mut artifacts: Vec<Artifact> = ranked.into_iter().map(|(_, a)| a).collect();
    let runbook = shared.render_one(
        "cluster/runbook.md",
        None,
        &TemplateCtx {
            steps: Some(&steps),
            ..TemplateCtx::default()
        },
    )?;
    artifacts.push(Artifact::rendered(
        "runbook.md".to_owned(),
        runbook,
        REGULAR,
        graph
            .steps()
            .next()
            .map(|s| s.id.clone())
            .unwrap_or_default(),
        None,
    ));
    Ok(Rendered { artifacts, inputs })
}

impl Artifact {
    fn rendered(
        path: String,
        content: String,
        mode: u32,
        step: String,
        node: Option<String>,
    ) -> Artifact {
        Artifact {
            path,
            sha256: crate::hash::sha256_hex(content.as_bytes()),
            content: Content::Rendered(content),
            mode,
            step,
            node,
        }
    }
}

/// The files of one node (or one cluster or cleanup file), and the node's name and
/// inputs hash.
struct Unit {
    inputs: Option<(String, String)>,
    files: Vec<Artifact>,
}

/// What every unit of rendering shares.
struct Shared<'a> {
    engine: &'static Engine,
    /// The cluster context as a template value.
    cluster: tera::Value,
    /// The cluster context as JSON, for the nodes' inputs hashes.
    cluster_json: &'a [u8],
    routes: &'a [context::RouteCtx],
    gone: &'a [context::GoneRouteCtx],
    recorded: Option<&'a dyn Recorded>,
}

impl Shared<'_> {
    /// Renders one node's files (or one cluster or cleanup file); for a node, also its
    /// inputs hash, and nothing is rendered when `recorded` has all its files unchanged.
    fn unit(&self, cluster: &Cluster, unit: &[Planned<'_>]) -> Result<Unit, RenderError> {
        let Some(node) = unit.first().and_then(|p| p.node) else {
            let files = unit
                .iter()
                .map(|p| self.file(cluster, p, None))
                .collect::<Result<_, _>>()?;
            return Ok(Unit {
                inputs: None,
                files,
            });
        };
        let node_ctx = NodeCtx::new(cluster, node);
        let inputs = self.inputs(&node_ctx, unit)?;
        let name = node.name.as_str();
        let kept: Option<Vec<String>> = self.recorded.and_then(|r| {
            unit.iter()
                .map(|p| r.unchanged(name, &inputs, &p.path, p.mode))
                .collect()
        });
        let files = match kept {
            Some(hashes) => unit
                .iter()
                .zip(hashes)
                .map(|(p, sha256)| Artifact {
                    path: p.path.clone(),
                    content: Content::KeptAsRecorded,
                    sha256,
                    mode: p.mode,
                    step: p.step.clone(),
                    node: Some(name.to_owned()),
                })
                .collect(),
            None => {
                let node_value = value("node context", &node_ctx)?;
                unit.iter()
                    .map(|p| self.file(cluster, p, Some(&node_value)))
                    .collect::<Result<_, _>>()?
            }
        };
        Ok(Unit {
            inputs: Some((name.to_owned(), inputs)),
            files,
        })
    }

    /// The hash of everything a node's files are rendered from.
    fn inputs(&self, node: &NodeCtx, files: &[Planned<'_>]) -> Result<String, RenderError> {
        let node_json =
            serde_json::to_vec(node).map_err(|e| RenderError(format!("node context: {e}")))?;
        let mut h = Framed::default();
        h.field(&self.engine.digest);
        h.field(self.cluster_json);
        h.field(&node_json);
        for p in files {
            h.field(p.path.as_bytes());
            h.field(p.template.as_bytes());
            h.field(p.step.as_bytes());
            h.field(&p.mode.to_le_bytes());
        }
        Ok(hex::encode(h.finish()))
    }

    fn file(
        &self,
        cluster: &Cluster,
        p: &Planned<'_>,
        node: Option<&tera::Value>,
    ) -> Result<Artifact, RenderError> {
        let node_table = NODE_TABLE_TEMPLATES.contains(&p.template);
        let content = self.render_one(
            p.template,
            node,
            &TemplateCtx {
                routes: node_table.then_some(self.routes),
                removed: p.removed.map(|r| context::RemovedCtx::new(cluster, r)),
                gone: node_table.then_some(self.gone),
                ..TemplateCtx::default()
            },
        )?;
        Ok(Artifact::rendered(
            p.path.clone(),
            content,
            p.mode,
            p.step.clone(),
            p.node.map(|n| n.name.to_string()),
        ))
    }

    fn render_one(
        &self,
        template: &str,
        node: Option<&tera::Value>,
        ctx: &TemplateCtx<'_>,
    ) -> Result<String, RenderError> {
        let mut context = tera::Context::from_serialize(ctx)
            .map_err(|e| RenderError(format!("{template}: {e:?}")))?;
        context.insert_value("cluster", self.cluster.clone());
        if let Some(node) = node {
            context.insert_value("node", node.clone());
        }
        self.engine
            .tera
            .render(template, &context)
            .map_err(|e| RenderError(format!("{template}: {e:?}")))
    }
}

/// Which files each node gets, and the step each belongs to.
fn plan_files(cluster: &Cluster) -> Vec<Planned<'_>> {
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
fn units<'p, 'a>(planned: &'p [Planned<'a>]) -> impl Iterator<Item = &'p [Planned<'a>]> {
    planned.chunk_by(|a, b| matches!((a.node, b.node), (Some(x), Some(y)) if x.name == y.name))
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

/// The name of the cluster's cloud partial, or [`NO_CLOUD`].
fn cloud_partial(cluster: &Cluster) -> &'static str {
    cluster
        .cloud
        .as_ref()
        .map_or(NO_CLOUD, |c| c.get().partial())
}

/// For rendering kubeplan's templates with another engine (the Ansible peer of
/// scripts/bench-scale.sh): the cluster's template context, and per node its context and
/// files (`path`, `template`, `mode`), and the network partials the templates include by
/// another name (`partials`: included name to template), as JSON. Cluster-wide and cleanup
/// files are left out.
pub fn node_contexts(cluster: &Cluster) -> Result<serde_json::Value, RenderError> {
    let mut nodes = Vec::new();
    let planned = plan_files(cluster);
    for unit in units(&planned) {
        let Some(node) = unit[0].node else { continue };
        let files: Vec<serde_json::Value> = unit
            .iter()
            .map(|p| serde_json::json!({ "path": p.path, "template": p.template, "mode": p.mode }))
            .collect();
        nodes.push(serde_json::json!({
            "name": node.name.as_str(),
            "node": to_json("node context", &NodeCtx::new(cluster, node))?,
            "files": files,
        }));
    }
    let mut partials: serde_json::Map<String, serde_json::Value> = NETWORK_PARTIALS
        .iter()
        .map(|(alias, dir, ext)| {
            let own = format!("{dir}{}{ext}", cluster.network.get().partials());
            ((*alias).to_owned(), own.into())
        })
        .collect();
    partials.insert(
        CLOUD_PARTIAL.to_owned(),
        format!("cluster/cloud/{}.sh", cloud_partial(cluster)).into(),
    );
    Ok(serde_json::json!({
        "cluster": to_json("cluster context", &ClusterCtx::new(cluster))?,
        "nodes": nodes,
        "partials": partials,
    }))
}

fn to_json<T: Serialize>(what: &str, ctx: &T) -> Result<serde_json::Value, RenderError> {
    serde_json::to_value(ctx).map_err(|e| RenderError(format!("{what}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_network_and_cloud_has_its_partials() {
        // The engine of a network and cloud fails to build when one of their partials is
        // missing or does not parse.
        for kind in Kind::ALL {
            for cloud in ["aws", "gce", "azure", NO_CLOUD] {
                if let Err(e) = engine(*kind, cloud) {
                    panic!("{kind:?} on {cloud}: {e}");
                }
            }
        }
    }
}
