//! Secrets: with the join token and every sensitive variable set to a marker, the marker
//! appears in no artifact, no output of validate / plan / apply / show / state list /
//! graph, human or `--json` (stdout or stderr, kubeplan's only log), not in a saved plan
//! and not in the state — for every example.

mod common;

use std::path::{Path, PathBuf};

use common::specs;
use common::SpecDir;

const MARKER: &str = "KPSECRET-4f1d9c";

/// Sensitive variables added to each example: one given by the environment, one by
/// `--var`, one by its default.
const SECRETS_HCL: &str = r#"
variable "registry_password" {
  description = "a secret the scripts do not take"
  sensitive   = true
}

variable "vcenter_password" {
  sensitive = true
}

variable "api_token" {
  sensitive = true
  default   = "KPSECRET-4f1d9c-default"
}
"#;

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn no_secret_reaches_an_artifact_the_output_or_the_state() {
    let mut commands = 0;
    let mut scanned = 0;
    for example in specs::example_names() {
        let dir = SpecDir::new(&specs::example_spec(&example));
        std::fs::write(dir.path().join("secrets.hcl"), SECRETS_HCL).unwrap();
        let run = |args: &[&str]| {
            let mut cmd = dir.kubeplan(args);
            cmd.env("KUBEPLAN_JOIN_TOKEN", MARKER)
                .env("KUBEPLAN_VAR_registry_password", MARKER);
            // show and state list read only the state: they take no variables (given
            // one, they stopped at a usage error and were never checked).
            if !matches!(args.first(), Some(&"show" | &"state")) {
                cmd.arg("--var").arg(format!("vcenter_password={MARKER}"));
            }
            let out = cmd.output().unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                out.status.code().is_some_and(|c| c == 0 || c == 2),
                "{example}: kubeplan {args:?} failed:\n{text}"
            );
            assert!(
                !text.contains(MARKER),
                "{example}: kubeplan {args:?} printed the secret:\n{text}"
            );
        };
        let saved = dir.path().join("saved.plan.json");
        let saved = saved.to_str().unwrap();
        for args in [
            &["validate"][..],
            &["validate", "--json"],
            &["plan"],
            &["plan", "--json", "--save", saved],
            &["apply", "--auto-approve", "--plan", saved],
            &["plan", "--detailed-exitcode"],
            &["plan", "--json"],
            &["show"],
            &["show", "--json"],
            &["state", "list"],
            &["graph"],
        ] {
            run(args);
            commands += 1;
        }
        let written = files(dir.path());
        assert!(
            dir.state().is_file() && dir.out().is_dir(),
            "{example}: apply wrote"
        );
        for path in written {
            if path.extension().is_some_and(|e| e == "hcl") {
                continue; // the spec itself holds the default
            }
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                !text.contains(MARKER),
                "{example}: {} holds the secret",
                path.display()
            );
            scanned += 1;
        }
    }
    specs::report(
        "secrets",
        scanned,
        &format!("files written by apply scanned, {commands} commands' output scanned, no secret"),
    );
}

#[test]
fn a_secret_used_in_an_attribute_is_refused_without_printing_it() {
    let spec = specs::example_spec("three-node").replacen("\"vsphere\"", "var.vcenter_password", 1);
    let dir = SpecDir::new(&spec);
    std::fs::write(dir.path().join("secrets.hcl"), SECRETS_HCL).unwrap();
    let out = dir
        .kubeplan(&["apply", "--auto-approve"])
        .env("KUBEPLAN_VAR_registry_password", MARKER)
        .arg("--var")
        .arg(format!("vcenter_password={MARKER}"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("KP051"), "{stderr}");
    assert!(stderr.contains("main.hcl:14:28"), "{stderr}");
    assert!(
        stderr.contains("(sensitive)"),
        "the platform check's message masks it: {stderr}"
    );
    assert!(!stderr.contains(MARKER), "{stderr}");
    assert!(!dir.out().exists() && !dir.state().exists());
}
