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
