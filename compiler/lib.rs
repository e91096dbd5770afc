//! kubeplan: a declarative plan compiler for Kubernetes clusters that mix Linux and
//! Windows nodes.
//!
//! The pipeline, one module per stage, each handing one type to the next:
//! `spec::load → Spec`, `validate → Cluster`, `graph::build → Graph`,
//! `render → Vec<Artifact>`, `plan::diff → Plan`, `apply`.
//! The library never prints and never exits; the command (`compiler/cli/`) does.

pub mod apply;
pub mod cloud;
pub mod cluster;
pub mod diagnostic;
pub mod error;
pub mod facts;
pub mod graph;
pub mod hash;
pub mod incremental;
pub mod journal;
pub mod json_output;
pub mod lifecycle;
pub mod lock;
pub mod model;
pub mod network;
pub mod outdir;
pub mod plan;
pub mod prepare;
pub mod releases;
pub mod render;
pub mod saved;
pub mod show;
pub mod signals;
pub mod spec;
pub mod state;
pub mod translate;
pub mod validate;

use std::path::Path;

use diagnostic::{Diagnostics, SourceMap};
use spec::VarInputs;

/// What compiling a spec directory gave.
pub struct Compiled {
    /// Every file read, for rendering diagnostics.
    pub sources: SourceMap,
    /// Errors and warnings from loading and validation, sorted by location.
    pub diagnostics: Diagnostics,
    /// The result, when no error was found.
    pub output: Option<Output>,
}

/// A compiled cluster: the validated description, its step graph and its artifacts.
pub struct Output {
    pub cluster: cluster::Cluster,
    pub graph: graph::Graph,
    pub artifacts: Vec<render::Artifact>,
    /// SHA-256 over the spec's `*.hcl` files (names and contents).
    pub spec_hash: String,
    /// What the state will remember: nodes, removed nodes, Windows support.
    pub record: state::ClusterRecord,
}

/// Runs load, validate, translate, graph and render over the spec in `dir`. `prior` is the state of
/// the last apply, if any: pod subnets stay where it put them, removed nodes get cleanup
/// scripts, and Windows support cannot be turned on after creation.
pub fn compile(
    dir: &Path,
    inputs: &VarInputs,
    prior: Option<&state::State>,
) -> Result<Compiled, render::RenderError> {
    compile_loaded(spec::load(dir, inputs), prior, None)
}

/// `compile` for plan and apply: a node whose inputs hash is the one `prior` records and
/// whose files in `out_dir` are exactly as `prior` records them is not rendered again
/// (its artifacts have no `content`; `plan::diff` finds them unchanged).
pub fn compile_since(
    dir: &Path,
    inputs: &VarInputs,
    prior: Option<&state::State>,
    out_dir: &Path,
) -> Result<Compiled, render::RenderError> {
    compile_loaded(spec::load(dir, inputs), prior, Some(out_dir))
}

/// `compile` over spec files given as (name, text) instead of a directory.
pub fn compile_texts(
    files: Vec<(String, String)>,
    inputs: &VarInputs,
    prior: Option<&state::State>,
) -> Result<Compiled, render::RenderError> {
    compile_loaded(spec::load_texts(files, inputs), prior, None)
}

fn compile_loaded(
    loaded: spec::Loaded,
    prior: Option<&state::State>,
    out_dir: Option<&Path>,
) -> Result<Compiled, render::RenderError> {
    let mut diagnostics = loaded.diagnostics;
    let Some(spec) = loaded.spec else {
        return Ok(Compiled {
            sources: loaded.sources,
            diagnostics,
            output: None,
        });
    };
    let mut found = validate::validate(&spec, prior);
    let cluster = if found.has_errors() {
        None
    } else {
        translate::translate(&spec, prior, &mut found)
    };
    diagnostics.extend(found);
    let Some(cluster) = cluster else {
        return Ok(Compiled {
            sources: loaded.sources,
            diagnostics,
            output: None,
        });
    };
    let mut record = cluster_record(&cluster, prior);
    let removed = removed_nodes(&record);
    let names: Vec<model::NodeName> = removed.iter().map(|r| r.name.clone()).collect();
    let graph = graph::build(&cluster, &names);
    let root = out_dir.map(outdir::Root::open);
    let recorded = prior
        .zip(root.as_ref())
        .map(|(state, out_dir)| incremental::LastApply { state, out_dir });
    let rendered = render::render_since(
        &cluster,
        &graph,
        &removed,
        recorded.as_ref().map(|r| r as &dyn render::PriorOutput),
    )?;
    for (name, hash) in rendered.inputs {
        if let Some(node) = record.nodes.get_mut(&name) {
            node.inputs = Some(hash);
        }
    }
    let artifacts = rendered.artifacts;
    let spec_hash = spec_hash(&loaded.sources, &loaded.spec_files);
    Ok(Compiled {
        sources: loaded.sources,
        diagnostics,
        output: Some(Output {
            cluster,
            graph,
            artifacts,
            spec_hash,
            record,
        }),
    })
}

fn spec_hash(sources: &SourceMap, files: &[diagnostic::FileId]) -> String {
    let named: Vec<(String, &str)> = files
        .iter()
        .map(|id| {
            let f = sources.file(*id);
            let name = Path::new(&f.name)
                .file_name()
                .map_or(f.name.clone(), |n| n.to_string_lossy().into_owned());
            (name, f.text.as_str())
        })
        .collect();
    hash::spec_files(named.iter().map(|(name, text)| (name.as_str(), *text)))
}

/// What the state records of the cluster after this spec is applied: every node, and every node that was
/// in an earlier spec and is not in this one (until a node of that name comes back).
fn cluster_record(c: &cluster::Cluster, prior: Option<&state::State>) -> state::ClusterRecord {
    let first = c.first_control_plane().name.as_str();
    let nodes: std::collections::BTreeMap<String, state::NodeRecord> = c
        .nodes
        .iter()
        .map(|n| {
            let record = state::NodeRecord {
                os: n.os_name().to_owned(),
                address: n.address.to_string(),
                pod_cidr: n.pod_cidr.map(|p| p.to_string()),
                inputs: None, // set once rendered
                facts: Some(facts::node(c, n, first)),
            };
            (n.name.to_string(), record)
        })
        .collect();
    let removed_nodes = prior
        .into_iter()
        .flat_map(|s| s.removed_nodes.iter().chain(&s.nodes))
        .filter(|(name, _)| !nodes.contains_key(*name))
        .map(|(name, r)| {
            let gone = state::NodeRecord {
                inputs: None,
                ..r.clone()
            };
            (name.clone(), gone)
        })
        .collect();
    state::ClusterRecord {
        cluster: c.name.to_string(),
        windows_support: c.windows_support,
        nodes,
        removed_nodes,
        facts: facts::cluster(c),
    }
}

/// The removed nodes the state remembers, as far as they are well-formed (a state edited
/// by hand cannot put an arbitrary name or address into a cleanup script).
fn removed_nodes(record: &state::ClusterRecord) -> Vec<cluster::RemovedNode> {
    record
        .removed_nodes
        .iter()
        .filter_map(|(name, r)| {
            Some(cluster::RemovedNode {
                name: name.parse().ok()?,
                windows: r.os == "windows",
                address: r.address.parse().ok()?,
            })
        })
        .collect()
}
