//! Golden trees: every example under `examples/` compiles to exactly the files under
//! `tests/golden/<example>/` — no file missing, none extra, same bytes, same mode.
//! `UPDATE_GOLDEN=1 cargo test --test golden` rewrites the trees (stale files removed).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use kubeplan::spec::VarInputs;

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

#[test]
fn every_example_matches_its_golden_tree() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for example in examples() {
        let name = example
            .file_name()
            .expect("named")
            .to_string_lossy()
            .into_owned();
        let golden_dir = root().join("tests/golden").join(&name);
        let actual = rendered(&example);
        if update {
            write_tree(&golden_dir, &actual);
            continue;
        }
        let expected = read_tree(&golden_dir);
        for (path, (content, mode)) in &actual {
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
    assert!(
        failures.is_empty(),
        "{}\n\nIf the change is intended, run UPDATE_GOLDEN=1 cargo test --test golden and review the diff.",
        failures.join("\n")
    );
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
