//! `render`: the artifacts of a cluster, each from a template under `templates/`
//! (embedded in the binary), in graph order.

mod context;
mod downloads;
mod engine;
mod files;
pub mod quote;
mod versions;

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::cluster::{Cluster, RemovedNode};
use crate::graph::{Graph, StepKind};
use crate::hash::Fields;
use context::{ClusterCtx, NodeCtx};
pub use downloads::node_downloads;
use engine::{engine, Engine, CLOUD_PARTIAL, NETWORK_PARTIALS, NO_CLOUD};
use files::{cleanup_files, plan_files, units, Planned, REGULAR};
pub use versions::Versions;

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
    /// artifact's node and left exactly this file in the out dir (see [`PriorOutput`]), so
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
pub trait PriorOutput: Sync {
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

impl crate::error::Hint for RenderError {}

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
    /// The rows of `_cluster/downloads.tsv`.
    #[serde(skip_serializing_if = "Option::is_none")]
    downloads: Option<&'a [downloads::TsvRow]>,
    /// The sample workload a workload template writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    workload: Option<&'a context::WorkloadCtx>,
}

/// A context as a template value.
fn value<T: Serialize>(what: &str, ctx: &T) -> Result<tera::Value, RenderError> {
    tera::Value::try_from_serializable(ctx).map_err(|e| RenderError(format!("{what}: {e:?}")))
}

/// The templates that list every node: the route table of the planned pod subnets and the
/// cloud network script. Both are cluster artifacts, so adding a node rewrites only them.
const NODE_TABLE_TEMPLATES: [&str; 2] = ["cluster/routes.tsv", "cluster/cloud-network.sh"];

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
    recorded: Option<&dyn PriorOutput>,
) -> Result<Rendered, RenderError> {
    let engine = engine(cluster.network.kind, cloud_partial(cluster))?;
    let cluster_ctx = ClusterCtx::new(cluster);
    let cluster_json = serde_json::to_vec(&cluster_ctx)
        .map_err(|e| RenderError(format!("cluster context: {e}")))?;
    let planned = plan_files(cluster);
    let cleanup = cleanup_files(removed);

    let mut by_step: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for p in planned
        .iter()
        .chain(&cleanup)
        .filter(|p| p.path != files::DOWNLOADS_TSV)
    {
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
    let download_rows = downloads::tsv_rows(cluster);
    let shared = Renderer {
        downloads: &download_rows,
        engine,
        cluster: value("cluster context", &cluster_ctx)?,
        cluster_json: &cluster_json,
        routes: &routes,
        gone: &gone,
        recorded,
    };
    let units: Vec<&[Planned<'_>]> = units(&planned).chain(units(&cleanup)).collect();
    let done: Vec<RenderedUnit> = units
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
struct RenderedUnit {
    inputs: Option<(String, String)>,
    files: Vec<Artifact>,
}

/// What every unit of rendering shares.
struct Renderer<'a> {
    engine: &'static Engine,
    /// The cluster context as a template value.
    cluster: tera::Value,
    /// The cluster context as JSON, for the nodes' inputs hashes.
    cluster_json: &'a [u8],
    routes: &'a [context::RouteCtx],
    gone: &'a [context::GoneRouteCtx],
    downloads: &'a [downloads::TsvRow],
    recorded: Option<&'a dyn PriorOutput>,
}

impl Renderer<'_> {
    /// Renders one node's files (or one cluster or cleanup file); for a node, also its
    /// inputs hash, and nothing is rendered when `recorded` has all its files unchanged.
    fn unit(&self, cluster: &Cluster, unit: &[Planned<'_>]) -> Result<RenderedUnit, RenderError> {
        let Some(node) = unit.first().and_then(|p| p.node) else {
            let files = unit
                .iter()
                .map(|p| self.file(cluster, p, None))
                .collect::<Result<_, _>>()?;
            return Ok(RenderedUnit {
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
        Ok(RenderedUnit {
            inputs: Some((name.to_owned(), inputs)),
            files,
        })
    }

    /// The hash of everything a node's files are rendered from.
    fn inputs(&self, node: &NodeCtx, files: &[Planned<'_>]) -> Result<String, RenderError> {
        let node_json =
            serde_json::to_vec(node).map_err(|e| RenderError(format!("node context: {e}")))?;
        let mut h = Fields::default();
        h.field(&self.engine.digest);
        h.field(self.cluster_json);
        h.field(&node_json);
        for p in files {
            h.field(p.path.as_bytes());
            h.field(p.template.as_bytes());
            h.field(p.step.as_bytes());
            h.field(&p.mode.to_le_bytes());
        }
        Ok(h.finish_hex())
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
                downloads: (p.template == "cluster/downloads.tsv").then_some(self.downloads),
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
