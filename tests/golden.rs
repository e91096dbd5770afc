//! Golden trees: every example under `examples/` compiles to exactly the files under
//! `tests/golden/<example>/`, and every test spec of tests/common/specs.rs to those
//! under `tests/golden/<example>@<variant>/` — no file missing, none extra, same bytes,
//! same mode.
//! `UPDATE_GOLDEN=1 cargo test --test golden` rewrites the trees (stale files removed).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use kubeplan::spec::VarInputs;

mod common;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root().join("examples"))
        .expect("examples/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Every file under `dir`, by `/`-separated relative path, with contents and mode.
fn read_tree(dir: &Path) -> BTreeMap<String, (String, u32)> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(dir)
                .expect("under dir")
                .to_string_lossy()
                .replace('\\', "/");
            let mode = fs::metadata(&path).expect("metadata").permissions().mode() & 0o777;
            files.insert(rel, (fs::read_to_string(&path).expect("text file"), mode));
        }
    }
    files
}

fn rendered(example: &Path) -> BTreeMap<String, (String, u32)> {
    let compiled =
        kubeplan::compile(example, &VarInputs::default(), None).expect("templates render");
    let diags = kubeplan::diagnostic::render_human(&compiled.sources, &compiled.diagnostics.0);
    let out = compiled
        .output
        .unwrap_or_else(|| panic!("{} does not validate:\n{diags}", example.display()));
    out.artifacts
        .into_iter()
        .map(|a| {
            (
                a.path,
                (a.content.expect("compile renders every artifact"), a.mode),
            )
        })
        .collect()
}

fn write_tree(dir: &Path, files: &BTreeMap<String, (String, u32)>) {
    if dir.exists() {
        fs::remove_dir_all(dir).expect("remove stale golden tree");
    }
    for (rel, (content, mode)) in files {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().expect("has parent")).expect("create dir");
        fs::write(&path, content).expect("write golden file");
        fs::set_permissions(&path, fs::Permissions::from_mode(*mode)).expect("chmod");
    }
}

/// Compares `actual` with the golden tree `tests/golden/<name>/` (or, with
/// `UPDATE_GOLDEN`, rewrites the tree), adding what differs to `failures`.
fn check_tree(name: &str, actual: &BTreeMap<String, (String, u32)>, failures: &mut Vec<String>) {
    let golden_dir = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        write_tree(&golden_dir, actual);
        return;
    }
    let expected = read_tree(&golden_dir);
    if expected.is_empty() {
        failures.push(format!("{name}: no golden tree at tests/golden/{name}/"));
        return;
    }
    for (path, (content, mode)) in actual {
        match expected.get(path) {
            None => failures.push(format!(
                "{name}: {path} is generated but missing from the golden tree"
            )),
            Some((want, want_mode)) => {
                if want != content {
                    let diff = similar::TextDiff::from_lines(want.as_str(), content.as_str())
                        .unified_diff()
                        .header(
                            &format!("golden/{name}/{path}"),
                            &format!("generated/{name}/{path}"),
                        )
                        .to_string();
                    failures.push(format!("{name}: {path} differs:\n{diff}"));
                }
                if want_mode != mode {
                    failures.push(format!(
                        "{name}: {path} has mode {mode:o}, golden {want_mode:o}"
                    ));
                }
            }
        }
    }
    for path in expected.keys().filter(|p| !actual.contains_key(*p)) {
        failures.push(format!(
            "{name}: {path} is in the golden tree but no longer generated"
        ));
    }
}

#[track_caller]
fn assert_no_failures(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{}\n\nIf the change is intended, run UPDATE_GOLDEN=1 cargo test --test golden and review the diff.",
        failures.join("\n")
    );
}

#[test]
fn every_example_matches_its_golden_tree() {
    let mut failures = Vec::new();
    for example in examples() {
        let name = example
            .file_name()
            .expect("named")
            .to_string_lossy()
            .into_owned();
        check_tree(&name, &rendered(&example), &mut failures);
    }
    assert_no_failures(&failures);
}

/// The test specs beside the examples (tests/common/specs.rs: other clouds, the Docker
/// runtime, other Kubernetes versions, a node named after a command, and a state with
/// removed nodes, whose cleanup scripts only they generate), each in
/// `tests/golden/<example>@<variant>/`.
#[test]
fn every_test_spec_matches_its_golden_tree() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for compiled in common::specs::all().iter().filter(|c| c.name.contains('@')) {
        let actual = compiled
            .artifacts
            .iter()
            .map(|a| {
                let content = a.content.clone().expect("compile renders every artifact");
                (a.path.clone(), (content, a.mode))
            })
            .collect();
        check_tree(&compiled.name, &actual, &mut failures);
        checked += 1;
    }
    assert!(checked >= 13, "only {checked} test specs");
    assert_no_failures(&failures);
}

#[test]
fn rendering_is_byte_identical_across_runs() {
    for example in examples() {
        assert_eq!(
            rendered(&example),
            rendered(&example),
            "{}",
            example.display()
        );
    }
}

#[test]
fn there_are_golden_trees_for_both_required_examples() {
    for name in ["three-node", "host-gw"] {
        assert!(
            root()
                .join("examples")
                .join(name)
                .join("main.hcl")
                .is_file(),
            "examples/{name}"
        );
    }
}
