//! Golden trees: every example under `examples/` compiles to exactly the files under
//! `tests/golden/<example>/`, and every test spec of tests/common/specs.rs to those
//! under `tests/golden/<example>@<variant>/` — no file missing, none extra, same bytes,
//! same mode. `tests/golden/_cli/` holds the output of representative command runs
//! (validate, plan, apply, drift, show, state list, errors) as transcripts.
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
        .map(|a| match a.content {
            kubeplan::render::Content::Rendered(text) => (a.path, (text, a.mode)),
            kubeplan::render::Content::KeptAsRecorded => {
                panic!("{}: compile renders every artifact", a.path)
            }
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
                let content = a.text().expect("compile renders every artifact").to_owned();
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

/// One command of a transcript: `kubeplan ARGS` run in `cwd`, its stdout, stderr and
/// exit code, as a reader of the transcript sees them.
fn transcript_step(out: &mut String, cwd: &Path, args: &[&str]) {
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_kubeplan"))
        .args(args)
        .current_dir(cwd)
        .env_remove("KUBEPLAN_VAR_k8s_version")
        .env_remove("KUBEPLAN_LOG")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("kubeplan runs");
    out.push_str(&format!("$ kubeplan {}\n", args.join(" ")));
    out.push_str(&String::from_utf8_lossy(&run.stdout));
    out.push_str(&String::from_utf8_lossy(&run.stderr));
    out.push_str(&format!("[exit {}]\n\n", run.status.code().unwrap_or(-1)));
}

/// What a user sees running kubeplan on the three-node example, from a fresh folder:
/// validate, plan, apply without a terminal (refused) and with --auto-approve, a
/// converged plan, a file edited by hand (drift, and apply refusing it), show, state
/// list, a spec with an error, and apply --force putting the file back. Each command's
/// stdout, then its stderr, then its exit code.
#[test]
fn command_output_matches_its_golden_transcript() {
    let work = tempfile::tempdir().expect("temp dir");
    let spec = work.path().join("three-node");
    fs::create_dir_all(&spec).expect("spec folder");
    let text = fs::read_to_string(root().join("examples/three-node/main.hcl")).expect("example");
    fs::write(spec.join("main.hcl"), &text).expect("write spec");
    let broken = work.path().join("broken");
    fs::create_dir_all(&broken).expect("broken folder");
    let windows_role = "windows_version = \"ltsc2022\"\n  roles           = [\"worker\"]";
    assert!(
        text.contains(windows_role),
        "the example has a Windows worker"
    );
    fs::write(
        broken.join("main.hcl"),
        text.replace(
            windows_role,
            "windows_version = \"ltsc2022\"\n  roles           = [\"controlplane\", \"worker\"]",
        ),
    )
    .expect("write broken spec");

    let mut out = String::new();
    let step = |out: &mut String, args: &[&str]| transcript_step(out, work.path(), args);
    step(&mut out, &["validate", "three-node"]);
    step(&mut out, &["plan", "three-node"]);
    step(&mut out, &["apply", "three-node"]);
    step(&mut out, &["apply", "--auto-approve", "three-node"]);
    step(&mut out, &["plan", "--detailed-exitcode", "three-node"]);
    let edited = spec.join("out/win-1/bootstrap.ps1");
    let mut script = fs::read_to_string(&edited).expect("applied");
    script.push_str("# edited on the node\n");
    fs::write(&edited, script).expect("edit");
    step(&mut out, &["plan", "three-node"]);
    step(&mut out, &["apply", "--auto-approve", "three-node"]);
    step(&mut out, &["show", "three-node"]);
    step(&mut out, &["state", "list", "three-node"]);
    step(&mut out, &["validate", "broken"]);
    step(&mut out, &["apply", "broken"]);
    step(
        &mut out,
        &["apply", "--auto-approve", "--force", "three-node"],
    );
    step(&mut out, &["plan", "--detailed-exitcode", "three-node"]);

    // The state's lineage is new each run.
    let state: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(spec.join("kubeplan.state.json")).expect("state"))
            .expect("state is JSON");
    let lineage = state["lineage"].as_str().expect("lineage");
    let out = out.replace(lineage, "LINEAGE");
    assert!(
        !out.contains(&*work.path().to_string_lossy()),
        "no temporary path:\n{out}"
    );

    let golden = root().join("tests/golden/_cli/three-node.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(golden.parent().expect("folder")).expect("create _cli");
        fs::write(&golden, &out).expect("write transcript");
        return;
    }
    let want = fs::read_to_string(&golden).unwrap_or_default();
    if want != out {
        let diff = similar::TextDiff::from_lines(want.as_str(), out.as_str())
            .unified_diff()
            .header("golden/_cli/three-node.txt", "generated")
            .to_string();
        panic!("the command output differs:\n{diff}\n\nIf the change is intended, run UPDATE_GOLDEN=1 cargo test --test golden and review the diff.");
    }
}
