//! Incremental plans: after an apply, plan and apply render only the nodes whose inputs
//! changed (or whose files were touched), and what they report is exactly what a plan
//! that renders everything reports.

mod common;

use std::fs;
use std::path::Path;

use common::specs;
use common::SpecDir;
use kubeplan::plan::{self, Action, Drift, Plan};
use kubeplan::spec::VarInputs;
use kubeplan::state::{self, State};
use kubeplan::{apply, Compiled, Output};

/// The plan of the spec in `dir` against its state and out dir, made twice: rendering
/// everything (`compile`) and rendering what changed (`compile_since`).
struct Both {
    full: Plan,
    incremental: Plan,
    compiled: Compiled,
}

fn inputs(vars: &[&str]) -> VarInputs {
    VarInputs {
        vars: vars.iter().map(|v| (*v).to_owned()).collect(),
        ..VarInputs::default()
    }
}

fn plans(dir: &SpecDir, vars: &[&str]) -> Both {
    let prior = state::load(&dir.state()).expect("the state loads");
    let out_dir = dir.out();
    let root = kubeplan::outdir::Root::open(&out_dir);
    let read = |p: &str| plan::OnDisk::read(&root, p);
    let full = kubeplan::compile(dir.path(), &inputs(vars), prior.as_ref()).unwrap();
    let full = plan::diff(&output(&full).artifacts, prior.as_ref(), read);
    let compiled =
        kubeplan::compile_since(dir.path(), &inputs(vars), prior.as_ref(), &out_dir).unwrap();
    let incremental = plan::diff(&output(&compiled).artifacts, prior.as_ref(), read);
    Both {
        full,
        incremental,
        compiled,
    }
}

fn output(c: &Compiled) -> &Output {
    c.output.as_ref().expect("the spec compiles")
}

/// Plans (incrementally, as the CLI does) and applies.
fn apply(dir: &SpecDir, vars: &[&str]) {
    let both = plans(dir, vars);
    let out = output(&both.compiled);
    let prior = state::load(&dir.state()).unwrap();
    let target = apply::Target {
        out_dir: &dir.out(),
        state_path: &dir.state(),
        force: false,
    };
    apply::apply(
        &both.incremental,
        &out.artifacts,
        prior.as_ref(),
        &out.spec_hash,
        &out.record,
        &target,
    )
    .expect("apply");
}

/// The nodes whose files were rendered.
fn rendered_nodes(c: &Compiled) -> Vec<String> {
    let nodes: std::collections::BTreeSet<String> = output(c)
        .artifacts
        .iter()
        .filter(|a| a.text().is_some())
        .filter_map(|a| a.node.clone())
        .collect();
    nodes.into_iter().collect()
}

fn listed(p: &Plan) -> Vec<(Action, &str)> {
    p.changes
        .iter()
        .filter(|c| c.action != Action::Unchanged)
        .map(|c| (c.action, c.path.as_str()))
        .collect()
}

fn example(name: &str) -> SpecDir {
    let dir = SpecDir::new(&specs::example_spec(name));
    apply(&dir, &[]);
    dir
}

#[test]
fn after_an_apply_no_node_is_rendered_and_the_plan_equals_the_full_one() {
    for name in specs::example_names() {
        let dir = example(&name);
        let both = plans(&dir, &[]);
        assert!(both.full.is_empty(), "{name}: nothing changed");
        assert_eq!(both.incremental.changes, both.full.changes, "{name}");
        assert_eq!(
            rendered_nodes(&both.compiled),
            Vec::<String>::new(),
            "{name}"
        );
        // The cluster-wide files are rendered every time.
        let runbook = output(&both.compiled).artifacts.last().unwrap();
        assert_eq!(runbook.path, "runbook.md");
        assert!(runbook.text().is_some(), "{name}");
    }
}

#[test]
fn a_file_touched_by_hand_renders_its_node_and_reports_the_same_drift() {
    for name in specs::example_names() {
        let dir = example(&name);
        let prior = state::load(&dir.state()).unwrap().unwrap();
        let (edited, node) = node_file(&prior, 0);
        let (removed, other) = node_file(&prior, 1);
        let path = dir.out().join(&edited);
        let mut text = fs::read_to_string(&path).unwrap();
        text.push_str("# edited by hand\n");
        fs::write(&path, text).unwrap();
        fs::remove_file(dir.out().join(&removed)).unwrap();

        let both = plans(&dir, &[]);
        assert_eq!(both.incremental.changes, both.full.changes, "{name}");
        let mut drift: Vec<(&str, Drift)> = both
            .incremental
            .drifted()
            .map(|c| (c.path.as_str(), c.drift.unwrap()))
            .collect();
        drift.sort_by_key(|(path, _)| *path);
        let mut expected = vec![
            (edited.as_str(), Drift::Edited),
            (removed.as_str(), Drift::Removed),
        ];
        expected.sort_by_key(|(path, _)| *path);
        assert_eq!(drift, expected, "{name}");
        let mut nodes = vec![node, other];
        nodes.sort();
        nodes.dedup();
        assert_eq!(
            rendered_nodes(&both.compiled),
            nodes,
            "{name}: only the touched nodes are rendered"
        );
    }
}

/// The `i`-th artifact the state records for a node (counting the first file of each
/// node), and that node.
fn node_file(s: &State, i: usize) -> (String, String) {
    let mut seen = Vec::new();
    for (path, r) in &s.artifacts {
        if let Some(node) = &r.node {
            if !seen.contains(node) {
                if seen.len() == i {
                    return (path.clone(), node.clone());
                }
                seen.push(node.clone());
            }
        }
    }
    panic!("fewer than {} nodes", i + 1)
}

#[test]
fn one_more_pool_node_renders_and_lists_only_that_node_and_the_shared_tables() {
    let dir = example("node-pool");
    let both = plans(&dir, &["windows_workers=51"]);
    assert_eq!(both.incremental.changes, both.full.changes);
    assert_eq!(rendered_nodes(&both.compiled), vec!["win-51".to_owned()]);
    let listed = listed(&both.incremental);
    assert!(!listed.is_empty());
    for (action, path) in &listed {
        let shared = [
            "_cluster/downloads.tsv",
            "_cluster/routes.tsv",
            "runbook.md",
        ]
        .contains(path);
        assert!(
            (*action == Action::Create && path.starts_with("win-51/"))
                || (*action == Action::Update && shared),
            "{action:?} {path}"
        );
    }
    // Applied, the next plan is empty again and renders nothing.
    apply(&dir, &["windows_workers=51"]);
    let again = plans(&dir, &["windows_workers=51"]);
    assert!(again.incremental.is_empty());
    assert_eq!(rendered_nodes(&again.compiled), Vec::<String>::new());
}

#[test]
fn a_cluster_wide_change_renders_every_node() {
    // A patch upgrade: applied at 1.35.7, then planned at the example's 1.35.8.
    let spec = specs::example_spec("node-pool");
    let dir = SpecDir::new(&spec.replace("1.35.8", "1.35.7"));
    apply(&dir, &[]);
    dir.write_spec(&spec);
    let both = plans(&dir, &[]);
    assert_eq!(both.incremental.changes, both.full.changes);
    let nodes = output(&both.compiled).cluster.nodes.len();
    assert_eq!(rendered_nodes(&both.compiled).len(), nodes);
}

#[test]
fn a_state_without_inputs_hashes_renders_everything_and_records_them() {
    let dir = example("three-node");
    // A state written before node inputs were recorded (format 2).
    let mut old = state::load(&dir.state()).unwrap().unwrap();
    for node in old.nodes.values_mut() {
        node.inputs = None;
    }
    write_state(&dir.state(), &old);
    let both = plans(&dir, &[]);
    assert!(both.full.is_empty());
    assert_eq!(both.incremental.changes, both.full.changes);
    let nodes = output(&both.compiled).cluster.nodes.len();
    assert_eq!(rendered_nodes(&both.compiled).len(), nodes);
    // An apply with nothing to change records the hashes; then nothing is rendered.
    apply(&dir, &[]);
    let recorded = state::load(&dir.state()).unwrap().unwrap();
    assert!(recorded.nodes.values().all(|n| n.inputs.is_some()));
    assert_eq!(recorded.artifacts, old.artifacts);
    assert_eq!(
        rendered_nodes(&plans(&dir, &[]).compiled),
        Vec::<String>::new()
    );
}

fn write_state(path: &Path, s: &State) {
    fs::write(path, s.to_json()).unwrap();
}
