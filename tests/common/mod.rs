//! Helpers shared by the integration tests: a spec in a temporary directory, and the binary.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub mod powershell;
pub mod specs;
pub mod yaml;

/// The three-node example's spec: the seeds' recommended architecture.
pub fn three_node_spec() -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/three-node/main.hcl"))
        .expect("example exists")
}

/// `line:column` of the first `needle` after the first `anchor` in `text`, as
/// diagnostics give a place (columns count characters), so that a test names what a
/// diagnostic points at instead of a place that moves when the spec does.
#[track_caller]
pub fn line_col_after(text: &str, anchor: &str, needle: &str) -> String {
    let from = text
        .find(anchor)
        .unwrap_or_else(|| panic!("no {anchor:?} in the spec"));
    let offset = from
        + text[from..]
            .find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} after {anchor:?} in the spec"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    format!("{line}:{column}")
}

/// `line:column` of the first `needle` in `text`.
#[track_caller]
pub fn line_col(text: &str, needle: &str) -> String {
    line_col_after(text, "", needle)
}

/// A temporary spec directory holding `main.hcl`.
pub struct SpecDir {
    pub dir: tempfile::TempDir,
}

impl SpecDir {
    pub fn new(spec: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(dir.path().join("main.hcl"), spec).expect("write spec");
        SpecDir { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn out(&self) -> PathBuf {
        self.path().join("out")
    }

    pub fn state(&self) -> PathBuf {
        self.path().join("kubeplan.state.json")
    }

    pub fn write_spec(&self, spec: &str) {
        fs::write(self.path().join("main.hcl"), spec).expect("write spec");
    }

    /// `kubeplan ARGS... DIR`.
    pub fn kubeplan(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("kubeplan").expect("binary built");
        cmd.args(args)
            .arg(self.path())
            .env_remove("KUBEPLAN_VAR_k8s_version");
        cmd
    }
}

/// The text of an artifact of `kubeplan::compile`, which renders every artifact.
pub fn text(a: &kubeplan::render::Artifact) -> &str {
    a.text().expect("compile renders every artifact")
}
