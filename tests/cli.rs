//! The command-line contract, through the real binary: exit codes, plan output,
//! apply/plan round trips, and that bad input writes nothing.

mod common;

use std::fs;
use std::time::Duration;

use assert_cmd::Command;

use common::{three_node_spec, SpecDir};
use predicates::prelude::*;

#[test]
fn validate_accepts_the_three_node_example() {
    let spec = SpecDir::new(&three_node_spec());
    spec.kubeplan(&["validate"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("cluster demo with 3 nodes"));
}

/// The scale benchmarks (benches/stages.rs, scripts/bench-scale.sh) compile this spec;
/// a rule that starts refusing it breaks them, so the suite validates it too.
#[test]
fn validate_accepts_the_benchmark_spec_without_warnings() {
    let bench = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scale.hcl");
    let spec = SpecDir::new(&fs::read_to_string(bench).unwrap());
    let out = spec
        .kubeplan(&["validate"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("warning"), "{stderr}");
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("cluster scale with 50 nodes"),
        "validated with its default pool sizes"
    );
}

/// Every file under `dir` with its content, in path order.
fn files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                found.push((path.clone(), fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn a_skipped_minor_a_downgrade_and_a_new_cluster_cidr_are_refused_after_apply_and_write_nothing() {
    let spec = SpecDir::new(&three_node_spec()); // Kubernetes 1.35.8
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    let before = (fs::read(spec.state()).unwrap(), files(&spec.out()));
    let cidr = three_node_spec().replace("\"10.244.0.0/16\"", "\"10.245.0.0/16\"");
    for (vars, text, said) in [
        (
            "k8s_version=1.37.0",
            three_node_spec(),
            "error[KP061]: the cluster runs Kubernetes 1.35.8 (recorded in the state) and the spec says 1.37.0: kubeadm upgrades one minor release at a time, and this skips 1.36.4",
        ),
        (
            "k8s_version=1.35.2",
            three_node_spec(),
            "error[KP061]: the cluster runs Kubernetes 1.35.8 (recorded in the state) and the spec says 1.35.2: kubeplan plans no downgrade",
        ),
        (
            "k8s_version=1.35.8",
            cidr,
            "error[KP060]: the running cluster was built with cluster_cidr = \"10.244.0.0/16\" (recorded in the state) and the spec says \"10.245.0.0/16\"",
        ),
    ] {
        spec.write_spec(&text);
        for args in [
            vec!["plan", "--var", vars],
            vec!["apply", "--auto-approve", "--var", vars],
        ] {
            spec.kubeplan(&args)
                .assert()
                .code(1)
                .stderr(predicate::str::contains(said))
                .stderr(predicate::str::contains("nothing was written"));
        }
        assert!(
            (fs::read(spec.state()).unwrap(), files(&spec.out())) == before,
            "{vars}: the state and the out dir are as the apply left them"
        );
    }
    // The next minor is accepted: today its plan rewrites the bootstrap scripts.
    spec.write_spec(&three_node_spec());
    spec.kubeplan(&["plan", "--detailed-exitcode", "--var", "k8s_version=1.36.4"])
        .assert()
        .code(2);
}

#[test]
fn the_plan_says_what_a_spec_change_does_to_each_running_node_in_upgrade_order() {
    let spec = SpecDir::new(&three_node_spec());
    // Before the first apply there is no running cluster: no node summary.
    let fresh = spec
        .kubeplan(&["plan"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(!String::from_utf8(fresh).unwrap().contains("Node changes"));
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    // The first control plane applies flannel's manifest: its versions are that node's.
    let state: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(spec.state()).unwrap()).unwrap();
    let components = |node: &str| state["nodes"][node]["facts"]["components"].clone();
    let flannel = &components("win-1")["flannel"];
    assert!(
        flannel.as_str().is_some_and(|v| v.starts_with('v')),
        "{state}"
    );
    assert_eq!(&components("cp-1")["flannel"], flannel);
    assert!(components("cp-1")["flannel_cni_plugin"].is_string());
    assert_eq!(components("worker-1"), serde_json::Value::Null);
    let plan = |text: &str, args: &[&str]| {
        spec.write_spec(text);
        let mut all = vec!["plan"];
        all.extend_from_slice(args);
        let out = spec
            .kubeplan(&all)
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    };
    // The next minor: control plane first, then the Linux worker, then Windows.
    let upgrade = plan(&three_node_spec(), &["--var", "k8s_version=1.36.4"]);
    assert!(
        upgrade.starts_with(
            "Node changes:\n\n  ~ cp-1: upgrade (kubernetes_version 1.35.8 → 1.36.4)\n  ~ worker-1: upgrade (kubernetes_version 1.35.8 → 1.36.4)\n  ~ win-1: upgrade (kubernetes_version 1.35.8 → 1.36.4)\n\nNodes: 3 to upgrade.\n"
        ),
        "{upgrade}"
    );
    // A label on one worker is a change in place; a new address is a replacement.
    let worker = "  roles     = [\"worker\"]\n  address   = \"10.0.0.11\"";
    let relabelled = three_node_spec().replace(
        worker,
        &format!("{worker}\n  labels    = {{ \"tier\" = \"edge\" }}"),
    );
    let moved = relabelled.replace("\"10.0.0.21\"", "\"10.0.0.22\"");
    let both = plan(&moved, &[]);
    assert!(
        both.contains("  ~ worker-1: update in place (labels (none) → tier=edge)\n  -/+ win-1: must be replaced (address 10.0.0.21 → 10.0.0.22)\n\nNodes: 1 to update in place, 1 to replace.\n"),
        "{both}"
    );
    assert!(both.contains("Note: kubeplan writes no relabel, upgrade or replacement steps yet"));
    // The same as JSON, and a removed node.
    let start = moved.find("node \"worker-1\"").unwrap();
    let end = moved.find("node \"win-1\"").unwrap();
    let mut removed = moved.clone();
    removed.replace_range(start..end, "");
    spec.write_spec(&removed);
    let out = spec
        .kubeplan(&["plan", "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        doc["plan"]["node_changes"],
        serde_json::json!([
            {"node": "win-1", "action": "replace", "changes": [
                {"fact": "address", "before": "10.0.0.21", "after": "10.0.0.22"}]},
            {"node": "worker-1", "action": "remove", "changes": []},
        ])
    );
    // Back to the applied spec: no node changes.
    let same = plan(&three_node_spec(), &[]);
    assert!(!same.contains("Node changes"), "{same}");
}

#[test]
fn plan_apply_plan_converges_and_an_edit_touches_only_its_files() {
    let spec = SpecDir::new(&three_node_spec());
    spec.kubeplan(&["plan", "--detailed-exitcode"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("+ win-1/bootstrap.ps1 (create"))
        .stdout(predicate::str::contains(
            "Plan: 15 to create, 0 to update, 0 to delete.",
        ));
    assert!(!spec.out().exists(), "plan writes nothing");

    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    for file in [
        "cp-1/bootstrap.sh",
        "win-1/bootstrap.ps1",
        "win-1/10-flannel.json",
        "cp-1/disable_hw_offloading.service",
        "_cluster/workloads/iis-ltsc2022.yaml",
        "runbook.md",
    ] {
        assert!(spec.out().join(file).is_file(), "{file} written");
    }
    let state: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(spec.state()).unwrap()).unwrap();
    assert_eq!(state["serial"], 1);

    spec.kubeplan(&["plan", "--detailed-exitcode"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No changes."));

    spec.write_spec(&three_node_spec().replace(
        "interface       = \"Ethernet0\"",
        "interface       = \"Ethernet1\"",
    ));
    let out = spec
        .kubeplan(&["plan", "--detailed-exitcode"])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let updated: Vec<&str> = out
        .lines()
        .filter(|l| l.trim_start().starts_with("~ "))
        .collect();
    assert_eq!(
        updated,
        [
            "  ~ win-1/bootstrap.ps1 (update, step prepare/win-1)",
            "  ~ win-1/start-flanneld.ps1 (update, step join/win-1)"
        ],
        "{out}"
    );
    assert!(
        out.contains("-$InterfaceName = 'Ethernet0'")
            && out.contains("+$InterfaceName = 'Ethernet1'"),
        "{out}"
    );
    assert!(
        out.contains("Plan: 0 to create, 2 to update, 0 to delete."),
        "{out}"
    );

    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    let state: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(spec.state()).unwrap()).unwrap();
    assert_eq!(state["serial"], 2, "serial increases with a change");
    spec.kubeplan(&["plan", "--detailed-exitcode"])
        .assert()
        .code(0);
}

#[test]
fn a_removed_node_is_planned_as_deletions_and_its_folder_goes() {
    let spec = SpecDir::new(&three_node_spec());
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    let without_win = three_node_spec()
        .split("node \"win-1\"")
        .next()
        .unwrap()
        .to_owned();
    spec.write_spec(&without_win);
    spec.kubeplan(&["plan"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("- win-1/bootstrap.ps1 (delete"))
        .stdout(predicate::str::contains("+ _cleanup/win-1/remove-node.sh"))
        .stdout(predicate::str::contains("+ _cleanup/win-1/reset.ps1"));
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    assert!(!spec.out().join("win-1").exists());
    assert!(spec.out().join("cp-1/bootstrap.sh").is_file());
    let reset = std::fs::read_to_string(spec.out().join("_cleanup/win-1/reset.ps1")).unwrap();
    assert!(reset.contains("Remove-HnsNetwork") && reset.contains("sc.exe delete"));
    let runbook = std::fs::read_to_string(spec.out().join("runbook.md")).unwrap();
    assert!(
        runbook.contains("| `cleanup/win-1` | win-1 (removed) |"),
        "{runbook}"
    );
    // The cleanup scripts stay until a node of that name comes back.
    spec.kubeplan(&["plan", "--detailed-exitcode"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No changes."));
    spec.write_spec(&three_node_spec());
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    assert!(!spec.out().join("_cleanup").exists());
    assert!(spec.out().join("win-1/bootstrap.ps1").is_file());
}

#[test]
fn a_removed_linux_node_gets_a_shellcheck_clean_reset_script() {
    let spec = SpecDir::new(&three_node_spec());
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    let start = three_node_spec().find("node \"worker-1\"").unwrap();
    let end = three_node_spec().find("node \"win-1\"").unwrap();
    let mut text = three_node_spec();
    text.replace_range(start..end, "");
    spec.write_spec(&text);
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    for script in ["remove-node.sh", "reset.sh"] {
        let path = spec.out().join("_cleanup/worker-1").join(script);
        let out = std::process::Command::new("shellcheck")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("NODE_NAME='worker-1'"), "{script}");
    }
}

#[test]
fn a_file_changed_by_hand_is_drift_that_apply_keeps_until_forced() {
    let spec = SpecDir::new(&three_node_spec());
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    let edited = spec.out().join("cp-1/kubeadm-config.yaml");
    let removed = spec.out().join("win-1/10-flannel.json");
    let original = (
        fs::read_to_string(&edited).unwrap(),
        fs::read_to_string(&removed).unwrap(),
    );
    fs::write(&edited, "edited by hand\n").unwrap();
    fs::remove_file(&removed).unwrap();
    let state_before = fs::read_to_string(spec.state()).unwrap();

    spec.kubeplan(&["plan", "--detailed-exitcode"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "~ cp-1/kubeadm-config.yaml (update, step init/cp-1)\n      ! drift: edited outside kubeplan since the last apply",
        ))
        .stdout(predicate::str::contains(
            "~ win-1/10-flannel.json (update, step prepare/win-1)\n      ! drift: removed outside kubeplan since the last apply",
        ))
        .stdout(predicate::str::contains("Drift: 2 file(s)"));
    spec.kubeplan(&["apply", "--auto-approve"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "error: 2 file(s) in the out dir were changed outside kubeplan; nothing was written:\n  cp-1/kubeadm-config.yaml: edited outside kubeplan since the last apply\n  win-1/10-flannel.json: removed outside kubeplan",
        ))
        .stderr(predicate::str::contains("pass --force"));
    assert_eq!(fs::read_to_string(&edited).unwrap(), "edited by hand\n");
    assert!(!removed.exists());
    assert_eq!(fs::read_to_string(spec.state()).unwrap(), state_before);

    spec.kubeplan(&["apply", "--auto-approve", "--force"])
        .assert()
        .code(0);
    assert_eq!(fs::read_to_string(&edited).unwrap(), original.0);
    assert_eq!(fs::read_to_string(&removed).unwrap(), original.1);
    spec.kubeplan(&["plan", "--detailed-exitcode"])
        .assert()
        .code(0);
}

#[test]
fn a_file_kubeplan_did_not_write_is_not_overwritten_without_force() {
    let spec = SpecDir::new(&three_node_spec());
    fs::create_dir_all(spec.out().join("cp-1")).unwrap();
    fs::write(spec.out().join("cp-1/bootstrap.sh"), "#!/bin/sh\n# mine\n").unwrap();
    spec.kubeplan(&["apply", "--auto-approve"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cp-1/bootstrap.sh: exists, and was not written by kubeplan",
        ));
    assert!(!spec.state().exists());
    assert!(!spec.out().join("win-1").exists(), "nothing written");
}

#[test]
fn apply_without_a_terminal_or_auto_approve_refuses() {
    let spec = SpecDir::new(&three_node_spec());
    spec.kubeplan(&["apply"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--auto-approve"));
    assert!(!spec.out().exists() && !spec.state().exists());
}

fn assert_rejected(spec_text: &str, code: &str, location: &str) {
    let spec = SpecDir::new(spec_text);
    let main = spec.path().join("main.hcl").display().to_string();
    for cmd in ["validate", "plan", "apply"] {
        let mut args = vec![cmd];
        if cmd == "apply" {
            args.push("--auto-approve");
        }
        spec.kubeplan(&args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!("[{code}]")))
            .stderr(predicate::str::contains(format!("{main}:{location}")))
            .stderr(predicate::str::contains("hint:"))
            .stderr(predicate::str::contains("panicked").not());
    }
    assert!(!spec.out().exists(), "nothing written");
    assert!(!spec.state().exists(), "no state written");
}

#[test]
fn a_windows_control_plane_is_rejected_at_its_role() {
    let text = three_node_spec().replace(
        "windows_version = \"ltsc2022\"\n  roles           = [\"worker\"]",
        "windows_version = \"ltsc2022\"\n  roles           = [\"controlplane\", \"worker\"]",
    );
    let at = common::line_col_after(&text, "node \"win-1\"", "\"controlplane\"");
    assert_rejected(&text, "KP012", &at);
}

#[test]
fn overlapping_cidrs_are_rejected_at_the_second() {
    let text = three_node_spec().replace(
        "service_cidr = \"10.96.0.0/12\"",
        "service_cidr = \"10.244.128.0/17\"",
    );
    let at = common::line_col(&text, "\"10.244.128.0/17\"");
    assert_rejected(&text, "KP019", &at);
}

#[test]
fn a_syntax_error_is_rejected_where_the_parser_stopped() {
    let text = three_node_spec().replace(
        "  platform               = \"vsphere\"",
        "  platform               = = \"vsphere\"",
    );
    // At the second `=`, where an expression was expected.
    let at = common::line_col(&text, "= \"vsphere\"");
    assert_rejected(&text, "KP001", &at);
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let text = three_node_spec()
        .replace(
            "service_cidr = \"10.96.0.0/12\"",
            "service_cidr = \"10.244.0.0/12\"",
        )
        .replace(
            "windows_version = \"ltsc2022\"",
            "windows_version = \"vista\"",
        )
        .replace("node \"worker-1\"", "node \"Worker_1\"");
    let spec = SpecDir::new(&text);
    let assert = spec.kubeplan(&["validate"]).assert().code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for code in ["KP015", "KP018", "KP022"] {
        assert!(
            stderr.contains(&format!("[{code}]")),
            "{code} missing from:\n{stderr}"
        );
    }
}

#[test]
fn graph_prints_dot_with_the_control_plane_before_the_windows_worker() {
    let spec = SpecDir::new(&three_node_spec());
    let out = spec
        .kubeplan(&["graph"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let dot = String::from_utf8(out).unwrap();
    assert!(dot.starts_with("digraph kubeplan {"), "{dot}");
    let pos = |s: &str| {
        dot.find(s)
            .unwrap_or_else(|| panic!("{s} missing from\n{dot}"))
    };
    assert!(pos("\"init/cp-1\" [") < pos("\"join/worker-1\" ["));
    assert!(pos("\"join/worker-1\" [") < pos("\"prepare/win-1\" ["));
    assert!(
        dot.contains("\"linux-ready\" -> \"prepare/win-1\";"),
        "{dot}"
    );
}

#[test]
fn variables_come_from_flags_files_and_the_environment() {
    let spec = SpecDir::new(&three_node_spec());
    let file = spec.path().join("prod.kpvars");
    fs::write(&file, "k8s_version = \"1.30.1\"\n").unwrap();
    spec.kubeplan(&[
        "apply",
        "--auto-approve",
        "--var-file",
        file.to_str().unwrap(),
    ])
    .assert()
    .code(0);
    let config = fs::read_to_string(spec.out().join("cp-1/kubeadm-config.yaml")).unwrap();
    assert!(
        config.contains("kubernetesVersion: \"v1.30.1\""),
        "{config}"
    );

    let mut cmd = spec.kubeplan(&["apply", "--auto-approve", "--var", "k8s_version=1.31.0"]);
    cmd.env("KUBEPLAN_VAR_k8s_version", "1.28.2")
        .assert()
        .code(0);
    let config = fs::read_to_string(spec.out().join("cp-1/kubeadm-config.yaml")).unwrap();
    assert!(
        config.contains("kubernetesVersion: \"v1.31.0\""),
        "--var wins over the environment: {config}"
    );

    spec.kubeplan(&["validate", "--var", "nope=1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("[KP009]"));
}

#[test]
fn the_join_token_never_reaches_output_or_state() {
    let spec = SpecDir::new(&three_node_spec());
    let token = "abcdef.0123456789abcdef";
    let out = spec
        .kubeplan(&["apply", "--auto-approve"])
        .env("KUBEPLAN_JOIN_TOKEN", token)
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert!(!String::from_utf8_lossy(&out.stdout).contains(token));
    assert!(!fs::read_to_string(spec.state()).unwrap().contains(token));
    for entry in walk(&spec.out()) {
        assert!(
            !fs::read_to_string(&entry).unwrap().contains(token),
            "{}",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files.extend(walk(&p));
        } else {
            files.push(p);
        }
    }
    files
}

#[test]
fn a_corrupt_state_is_an_error_that_names_the_file() {
    let spec = SpecDir::new(&three_node_spec());
    fs::write(spec.state(), "{ not json").unwrap();
    spec.kubeplan(&["apply", "--auto-approve"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "kubeplan.state.json: the state is not valid kubeplan state JSON",
        ))
        .stderr(predicate::str::contains("hint: there is no backup ("));
    assert!(!spec.out().exists(), "nothing written");
    assert_eq!(
        fs::read_to_string(spec.state()).unwrap(),
        "{ not json",
        "the state is left as it was"
    );
}

#[test]
fn a_state_edited_by_hand_fails_its_checksum_and_the_backup_is_named() {
    let spec = SpecDir::new(&three_node_spec());
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    let first = fs::read_to_string(spec.state()).unwrap();
    spec.write_spec(&three_node_spec().replace("Ethernet0", "Ethernet1"));
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    let backup = spec.path().join("kubeplan.state.json.backup");
    assert_eq!(
        fs::read_to_string(&backup).unwrap(),
        first,
        "the previous state is kept"
    );

    let state = fs::read_to_string(spec.state()).unwrap();
    fs::write(
        spec.state(),
        state.replace("\"serial\": 2", "\"serial\": 7"),
    )
    .unwrap();
    for command in ["validate", "plan"] {
        spec.kubeplan(&[command])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "kubeplan.state.json: the state does not match its checksum: it was changed outside kubeplan or damaged",
            ))
            .stderr(predicate::str::contains(format!(
                "the state before the last apply is kept in {}",
                backup.display()
            )));
    }
    // The backup is the state of the first apply; the out dir already holds the second.
    fs::copy(&backup, spec.state()).unwrap();
    spec.kubeplan(&["plan"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "* win-1/bootstrap.ps1 (already in place, to record, step prepare/win-1)",
        ));
}

#[test]
fn adding_a_windows_node_to_the_pool_touches_its_files_the_route_table_and_the_runbook() {
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/node-pool/main.hcl");
    let spec = SpecDir::new(&std::fs::read_to_string(example).unwrap());
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    let out = spec
        .kubeplan(&["plan", "--var", "windows_workers=51"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let (nodes, files) = out
        .split_once("kubeplan will perform the following actions:")
        .unwrap();
    assert_eq!(
        nodes, "Node changes:\n\n  + win-51: join\n\nNodes: 1 to join.\n\n",
        "{out}"
    );
    let mut changed: Vec<&str> = files
        .lines()
        .map(|l| l.strip_prefix("  ").unwrap_or(l))
        .filter(|l| l.starts_with("+ ") || l.starts_with("~ ") || l.starts_with("- "))
        .map(|l| l.split(" (").next().unwrap())
        .collect();
    changed.sort_unstable();
    assert_eq!(
        changed,
        [
            "+ win-51/10-flannel.json",
            "+ win-51/bootstrap.ps1",
            "+ win-51/containerd-config.toml",
            "+ win-51/net-conf.json",
            "+ win-51/start-flanneld.ps1",
            "~ _cluster/downloads.tsv",
            "~ _cluster/routes.tsv",
            "~ runbook.md",
        ],
        "{out}"
    );
    // The pool's range grows by one in each row of what the Windows nodes fetch.
    assert!(out.contains("\twin-[01:51]\t"), "{out}");
    assert!(
        out.contains("+win-51\twindows\t172.16.1.51\t10.244.53.0/24"),
        "{out}"
    );
    assert!(out.contains("Plan: 5 to create, 3 to update, 0 to delete."));
}

#[test]
fn two_applies_at_once_one_wins_the_other_names_the_lock_holder() {
    for _ in 0..3 {
        let spec = SpecDir::new(&common::specs::example_spec("node-pool"));
        let start = || {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("kubeplan"))
                .args(["apply", "--auto-approve"])
                .arg(spec.path())
                .output()
        };
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(start);
            let b = s.spawn(start);
            (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
        });
        let codes = [a.status.code(), b.status.code()];
        assert!(
            codes == [Some(0), Some(1)] || codes == [Some(1), Some(0)],
            "{codes:?}"
        );
        let loser = if a.status.code() == Some(1) { &a } else { &b };
        let stderr = String::from_utf8_lossy(&loser.stderr);
        assert!(stderr.contains("the state is locked: lock "), "{stderr}");
        assert!(
            stderr.contains(" held by pid ")
                && stderr.contains(&format!(
                    "running `kubeplan apply {}`",
                    spec.path().display()
                )),
            "{stderr}"
        );
        assert!(stderr.contains("kubeplan force-unlock "), "{stderr}");
        let state: kubeplan::state::State =
            serde_json::from_str(&fs::read_to_string(spec.state()).unwrap()).unwrap();
        assert_eq!(state.serial, 1);
        assert_eq!(state.artifacts.len(), 263);
        assert!(
            !kubeplan::lock::lock_path(&spec.state()).exists(),
            "released"
        );
    }
}

#[test]
fn a_stale_lock_blocks_apply_until_force_unlock_with_its_id() {
    let spec = SpecDir::new(&three_node_spec());
    // The lock of a run on another host that died: this host cannot tell it is gone.
    let id = "0b1c2d3e-0000-4000-8000-000000000001";
    fs::write(
        kubeplan::lock::lock_path(&spec.state()),
        format!(
            r#"{{"id":"{id}","pid":4000000,"host":"another-host","created":"2026-11-23T08:00:00Z","command":"kubeplan apply (crashed)"}}"#
        ),
    )
    .unwrap();
    spec.kubeplan(&["apply", "--auto-approve"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("lock {id} held by pid")))
        .stderr(predicate::str::contains(
            "running `kubeplan apply (crashed)`",
        ))
        // The hint on a line of its own, after the message.
        .stderr(predicate::str::contains(format!(
            "(crashed)` ({})\nhint: wait for that run, pass --lock-timeout to wait longer, or, if it is gone, run: kubeplan force-unlock {id}\n",
            kubeplan::lock::lock_path(&spec.state()).display()
        )));
    assert!(
        !spec.out().exists() && !spec.state().exists(),
        "nothing written"
    );
    spec.kubeplan(&["force-unlock", "wrong-id"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not this lock's id"));
    let mut cmd = Command::cargo_bin("kubeplan").unwrap();
    cmd.args(["force-unlock", id]).arg(spec.path());
    cmd.assert()
        .success()
        .stdout(predicate::str::contains("Unlocked"));
    spec.kubeplan(&["apply", "--auto-approve"])
        .assert()
        .success();
}

#[test]
fn force_unlock_refuses_the_lock_of_a_run_that_is_still_alive() {
    // Removing it let the live run overwrite the state another run then locked (issue 15).
    let spec = SpecDir::new(&three_node_spec());
    let held = kubeplan::lock::acquire(&spec.state(), Duration::ZERO, "kubeplan apply .").unwrap();
    let id = held.info().id.clone();
    let mut cmd = Command::cargo_bin("kubeplan").unwrap();
    cmd.args(["force-unlock", &id]).arg(spec.path());
    cmd.assert()
        .code(1)
        .stderr(predicate::str::contains("is still running"))
        .stderr(predicate::str::contains(format!(
            "stop pid {} first",
            std::process::id()
        )));
    assert!(kubeplan::lock::lock_path(&spec.state()).exists());
    drop(held);
    assert!(!kubeplan::lock::lock_path(&spec.state()).exists());
}

#[test]
fn apply_waits_for_a_lock_up_to_the_lock_timeout() {
    let spec = SpecDir::new(&three_node_spec());
    let held = kubeplan::lock::acquire(&spec.state(), Duration::ZERO, "test").unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        drop(held);
    });
    spec.kubeplan(&["apply", "--auto-approve", "--lock-timeout", "10s"])
        .assert()
        .success();
    release.join().unwrap();
}

#[test]
fn a_saved_plan_applies_exactly_and_a_stale_one_is_refused() {
    let spec = SpecDir::new(&three_node_spec());
    let saved = spec.path().join("reviewed.plan.json");
    let saved_arg = saved.to_str().unwrap();
    spec.kubeplan(&["plan", "--save", saved_arg])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!(
            "kubeplan apply --plan {saved_arg}"
        )));
    assert!(!spec.out().exists(), "plan --save writes only the plan");
    spec.kubeplan(&["apply", "--plan", saved_arg])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("15 created"));

    // A plan made, then overtaken by another apply: stale.
    spec.write_spec(&three_node_spec().replace("Ethernet0", "Ethernet1"));
    spec.kubeplan(&["plan", "--save", saved_arg])
        .assert()
        .code(0);
    spec.write_spec(&three_node_spec().replace("Ethernet0", "Ethernet2"));
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    spec.write_spec(&three_node_spec().replace("Ethernet0", "Ethernet1"));
    let state = fs::read_to_string(spec.state()).unwrap();
    spec.kubeplan(&["apply", "--plan", saved_arg])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "error: the saved plan {saved_arg} is stale, nothing was written: the state changed since the plan was made"
        )))
        .stderr(predicate::str::contains("serial 1, the state is now lineage"))
        .stderr(predicate::str::contains("serial 2\n"))
        .stderr(predicate::str::contains(format!(
            "hint: make and review a new plan with kubeplan plan --save {saved_arg}"
        )));
    assert_eq!(fs::read_to_string(spec.state()).unwrap(), state);
    let win = fs::read_to_string(spec.out().join("win-1/bootstrap.ps1")).unwrap();
    assert!(
        win.contains("'Ethernet2'"),
        "the refused plan wrote nothing"
    );

    // A fresh plan applies.
    spec.kubeplan(&["plan", "--save", saved_arg])
        .assert()
        .code(0);
    spec.kubeplan(&["apply", "--plan", saved_arg])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 created, 2 updated, 0 deleted"));
    let win = fs::read_to_string(spec.out().join("win-1/bootstrap.ps1")).unwrap();
    assert!(win.contains("'Ethernet1'"));
}

#[test]
fn a_saved_plan_is_refused_when_the_spec_the_variables_or_the_out_dir_moved() {
    let spec = SpecDir::new(&common::specs::example_spec("node-pool"));
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    let saved = spec.path().join("p.json");
    let saved_arg = saved.to_str().unwrap();
    let refused = |args: &[&str], why: &str| {
        let mut all = vec!["apply", "--plan", saved_arg];
        all.extend_from_slice(args);
        spec.kubeplan(&all)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(why.to_owned()));
    };
    spec.kubeplan(&["plan", "--save", saved_arg, "--var", "windows_workers=52"])
        .assert()
        .code(0);
    refused(
        &[],
        "_cluster/downloads.tsv renders differently than when the plan was made: were other variables given",
    );
    fs::write(spec.out().join("runbook.md"), "edited after the plan\n").unwrap();
    refused(
        &["--var", "windows_workers=52"],
        "runbook.md in the out dir changed since the plan was made",
    );
    spec.write_spec(&(common::specs::example_spec("node-pool") + "\n# reviewed\n"));
    refused(
        &["--var", "windows_workers=52"],
        "the spec files changed since the plan was made",
    );
    fs::write(&saved, "{}").unwrap();
    refused(&[], "not a kubeplan saved plan: missing field");
    assert_eq!(
        fs::read_to_string(spec.out().join("runbook.md")).unwrap(),
        "edited after the plan\n"
    );
}

#[test]
fn show_and_state_list_print_what_the_state_tracks() {
    let spec = SpecDir::new(&three_node_spec());
    spec.kubeplan(&["show"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "No state: nothing has been applied yet",
        ));
    spec.kubeplan(&["state", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("there is no state"));
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    let state: kubeplan::state::State =
        serde_json::from_str(&fs::read_to_string(spec.state()).unwrap()).unwrap();
    spec.kubeplan(&["show"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!(
            "  lineage          {}\n  serial           1\n",
            state.lineage
        )))
        .stdout(predicate::str::contains(
            "  win-1     windows  10.0.0.21  ltsc2022 Kubernetes 1.35.8\n",
        ))
        .stdout(predicate::str::contains(
            "  network          flannel vxlan, cluster CIDR 10.244.0.0/16 (/24 per node), service CIDR 10.96.0.0/12\n",
        ))
        .stdout(predicate::str::contains("Artifacts: 15 "))
        .stdout(predicate::str::contains("  prepare/win-1  4\n"));
    spec.kubeplan(&["show", "--json"])
        .assert()
        .code(0)
        .stdout(fs::read_to_string(spec.state()).unwrap());
    let listed = spec
        .kubeplan(&["state", "list"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let listed = String::from_utf8(listed).unwrap();
    let tracked: Vec<&str> = state.artifacts.keys().map(String::as_str).collect();
    assert_eq!(listed.lines().collect::<Vec<_>>(), tracked);
    spec.kubeplan(&["state", "list", "--node", "win-1"])
        .assert()
        .code(0)
        .stdout("win-1/10-flannel.json\nwin-1/bootstrap.ps1\nwin-1/containerd-config.toml\nwin-1/net-conf.json\nwin-1/start-flanneld.ps1\n");
}

#[test]
fn plan_save_takes_the_lock_and_plain_plan_does_not() {
    let spec = SpecDir::new(&three_node_spec());
    let held = kubeplan::lock::acquire(&spec.state(), Duration::ZERO, "kubeplan apply .").unwrap();
    let saved = spec.path().join("p.json");
    spec.kubeplan(&["plan", "--save", saved.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "the state is locked: lock {} held by pid",
            held.info().id
        )));
    assert!(!saved.exists());
    spec.kubeplan(&["plan"]).assert().code(0);
    drop(held);
    spec.kubeplan(&["plan", "--save", saved.to_str().unwrap()])
        .assert()
        .code(0);
    assert!(saved.is_file());
}

#[test]
fn a_usage_error_exits_1_not_the_2_of_changes_present() {
    // `plan --detailed-exitcode` exits 2 when there are changes; clap's usage errors exit 2
    // too, so a CI job would read a mistyped flag as changes (issue 15).
    let spec = SpecDir::new(&three_node_spec());
    spec.kubeplan(&["plan", "--detailed-exitcod"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "unexpected argument '--detailed-exitcod'",
        ));
    Command::cargo_bin("kubeplan")
        .unwrap()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("kubeplan "));
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    // `kubeplan plan D | head -1`: the reader is gone before kubeplan writes.
    use std::os::unix::process::ExitStatusExt;
    let spec = SpecDir::new(&three_node_spec());
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("kubeplan"))
        .arg("plan")
        .arg(spec.path())
        .stdout(writer)
        .output()
        .expect("kubeplan runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.signal(),
        Some(13),
        "ended by SIGPIPE: {:?}",
        out.status
    );
    assert!(!spec.state().exists(), "plan writes no state");
}

#[test]
fn a_lock_timeout_beyond_any_clock_waits_without_a_panic() {
    // Instant + 584,000,000,000 years overflows; no lock is held, so apply goes ahead.
    let spec = SpecDir::new(&three_node_spec());
    spec.kubeplan(&["apply", "--auto-approve", "--lock-timeout", "584000000000y"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Apply complete!"));
}

#[test]
fn a_spec_and_a_var_file_with_a_utf8_byte_order_mark_are_read() {
    // What Windows editors write: HCL has no BOM, so it was "unexpected token" at 1:1.
    let spec = SpecDir::new(&format!("\u{feff}{}", three_node_spec()));
    let var_file = spec.path().join("vars.tfvars");
    fs::write(&var_file, "\u{feff}k8s_version = \"1.35.7\"\n").unwrap();
    spec.kubeplan(&["validate", "--var-file", var_file.to_str().unwrap()])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("cluster demo with 3 nodes"));
    // A syntax error after the mark is still found at its own line and column.
    spec.write_spec("\u{feff}cluster \"x\" {\n  = 1\n}\n");
    spec.kubeplan(&["validate"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(":2:3"));
}

#[test]
fn a_file_that_is_not_utf8_is_refused_with_its_encoding_and_the_first_bad_byte() {
    // UTF-16 and Latin-1 gave KP010 "stream did not contain valid UTF-8", no location.
    let spec = SpecDir::new("");
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(three_node_spec().encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    fs::write(spec.path().join("main.hcl"), &utf16).unwrap();
    spec.kubeplan(&["validate"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[KP010]"))
        .stderr(predicate::str::contains(
            "main.hcl is UTF-16 little-endian text",
        ))
        .stderr(predicate::str::contains("main.hcl:1:1"))
        .stderr(predicate::str::contains("save it as UTF-8"));
    // Latin-1: "é" is the single byte 0xE9, in line 2, after 13 characters.
    let mut latin1 = b"# demo\n# caf\xe9 au lait\n".to_vec();
    latin1.extend(three_node_spec().as_bytes());
    fs::write(spec.path().join("main.hcl"), &latin1).unwrap();
    spec.kubeplan(&["validate"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "byte 0xE9 here is not valid UTF-8",
        ))
        .stderr(predicate::str::contains("main.hcl:2:6"));
    // A variable file: located too, its line (it may hold a secret) not shown.
    spec.write_spec(&three_node_spec());
    let var_file = spec.path().join("vars.tfvars");
    fs::write(&var_file, b"k8s_version = \"1.35.7\"\nx = \"caf\xe9\"\n").unwrap();
    spec.kubeplan(&["validate", "--var-file", var_file.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("vars.tfvars:2:9"))
        .stderr(predicate::str::contains("caf").not());
}

#[test]
fn plan_save_refuses_to_overwrite_the_state_its_backup_lock_or_a_spec_file() {
    // Saving over the state lost its latest serial; over the spec, the spec (issue 15).
    let spec = SpecDir::new(&three_node_spec());
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0); // writes the backup
    let state = fs::read_to_string(spec.state()).unwrap();
    let dir = spec.path().to_str().unwrap().to_owned();
    for (target, what) in [
        (format!("{dir}/kubeplan.state.json"), "the state"),
        (format!("{dir}/out/../kubeplan.state.json"), "the state"),
        (
            format!("{dir}/kubeplan.state.json.backup"),
            "the state's backup",
        ),
        (
            format!("{dir}/kubeplan.state.json.lock"),
            "the state's lock",
        ),
        (format!("{dir}/main.hcl"), "a spec file"),
    ] {
        spec.kubeplan(&["plan", "--save", &target])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!("would overwrite {what}")));
    }
    assert_eq!(fs::read_to_string(spec.state()).unwrap(), state);
    assert_eq!(
        fs::read_to_string(spec.path().join("main.hcl")).unwrap(),
        three_node_spec()
    );
    assert!(!kubeplan::lock::lock_path(&spec.state()).exists());
    spec.kubeplan(&["plan", "--save", &format!("{dir}/plan.json")])
        .assert()
        .code(0);
}

#[test]
fn apply_cleans_up_only_its_own_states_temporary_files() {
    // An apply's clean-up deleted every `.kubeplan-tmp-*` beside its state: another
    // state's in-flight temporary file and a user's file of that name (issue 15).
    let spec = SpecDir::new(&three_node_spec());
    let others = [
        ".kubeplan-tmp-notes.txt",
        ".other.state.json.kubeplan-tmp-a1b2c3",
    ];
    for name in others {
        fs::write(spec.path().join(name), "not this state's").unwrap();
    }
    // What a killed apply of this state left beside it.
    let dead = spec.path().join(".kubeplan.state.json.kubeplan-tmp-x9y8z7");
    fs::write(&dead, "{").unwrap();
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    for name in others {
        assert!(spec.path().join(name).exists(), "{name} was deleted");
    }
    assert!(!dead.exists(), "this state's leftover stays");
}

#[test]
fn end_of_life_is_judged_against_today_or_the_day_kubeplan_today_names() {
    // examples/three-node runs Kubernetes 1.35, whose end of life is 2027-02-28.
    let spec = SpecDir::new(&three_node_spec());
    spec.kubeplan(&["validate"])
        .env("KUBEPLAN_TODAY", "2027-03-01")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("warning[KP055]"))
        .stderr(predicate::str::contains(
            "Kubernetes 1.35 reached end of life on 2027-02-28",
        ));
    spec.kubeplan(&["validate"])
        .env("KUBEPLAN_TODAY", "2027-02-28")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("KP055").not());
    spec.kubeplan(&["validate"])
        .env("KUBEPLAN_TODAY", "next tuesday")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("KUBEPLAN_TODAY"))
        .stderr(predicate::str::contains("hint:"));
    // Without it, the clock: 1.24 ended on 2023-07-28, whatever day this runs.
    let old = SpecDir::new(&three_node_spec().replace("\"1.35.8\"", "\"1.24.17\""));
    old.kubeplan(&["validate"])
        .env_remove("KUBEPLAN_TODAY")
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "Kubernetes 1.24 reached end of life on 2023-07-28",
        ));
}
