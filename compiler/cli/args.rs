//! The arguments several commands share: the spec, the state and out paths, the state alone.

use std::path::{Path, PathBuf};

use clap::Args;

use kubeplan::state;

#[derive(Args)]
pub struct SpecArgs {
    /// The directory holding the spec's *.hcl files.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Set a variable: NAME=VALUE (repeatable; later wins).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read variable values from an HCL file of NAME = VALUE lines (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
}

/// The commands that compile the spec: the spec, its variables, the state and the out dir.
#[derive(Args)]
pub struct SpecPaths {
    #[command(flatten)]
    pub spec: SpecArgs,
    #[command(flatten)]
    pub paths: PathArgs,
}

#[derive(Args)]
pub struct PathArgs {
    /// The state file [default: DIR/kubeplan.state.json].
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Where artifacts are written [default: DIR/out].
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl PathArgs {
    /// The state file and the out dir of the spec in `dir`.
    pub fn resolve(&self, dir: &Path) -> (PathBuf, PathBuf) {
        (
            state_path(dir, self.state.clone()),
            self.out.clone().unwrap_or_else(|| dir.join("out")),
        )
    }
}

/// The commands that read only the state: `show`, `state list`, `force-unlock`.
#[derive(Args)]
pub struct StateArgs {
    /// The directory holding the spec's *.hcl files.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The state file [default: DIR/kubeplan.state.json].
    #[arg(long)]
    pub state: Option<PathBuf>,
}

impl StateArgs {
    /// The state file.
    pub fn state_path(&self) -> PathBuf {
        state_path(&self.dir, self.state.clone())
    }
}

/// `--state FILE`, or `DIR/kubeplan.state.json`; a link there is followed to its target.
fn state_path(dir: &Path, state: Option<PathBuf>) -> PathBuf {
    state::follow_links(&state.unwrap_or_else(|| dir.join("kubeplan.state.json")))
}
