//! `apply`: writes the planned artifacts into the out dir, then records them in the state.
//! Every file is written to a temporary file in its own directory, synced and renamed, so
//! a reader never sees half a file; the state is written last.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::plan::{Action, Plan};
use crate::render::Artifact;
use crate::state::{ArtifactRecord, Memory, State, FORMAT_VERSION};

/// Where an apply writes.
pub struct Target<'a> {
    pub out_dir: &'a Path,
    pub state_path: &'a Path,
}

/// What an apply did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
    /// The serial of the state after the apply (unchanged when nothing changed).
    pub serial: u64,
}

/// An I/O failure, with the path it happened on.
#[derive(Debug)]
pub struct ApplyError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write {}: {}", self.path.display(), self.source)
    }
}

impl std::error::Error for ApplyError {}

/// Applies `plan` (made from `artifacts` and `previous`) and writes the new state.
pub fn apply(
    plan: &Plan,
    artifacts: &[Artifact],
    previous: Option<&State>,
    spec_hash: &str,
    memory: &Memory,
    target: &Target<'_>,
) -> Result<Report, ApplyError> {
    let mut report = Report::default();
    let by_path: std::collections::HashMap<&str, &Artifact> =
        artifacts.iter().map(|a| (a.path.as_str(), a)).collect();
    for change in &plan.changes {
        let path = target.out_dir.join(&change.path);
        match change.action {
            Action::Create | Action::Update => {
                let a = by_path[change.path.as_str()];
                write_atomic(&path, a.content.as_bytes(), a.mode)?;
                if change.action == Action::Create {
                    report.created += 1;
                } else {
                    report.updated += 1;
                }
            }
            Action::Delete => {
                remove(&path, target.out_dir)?;
                report.deleted += 1;
            }
            Action::Unchanged => {}
        }
    }
    let changed = !plan.is_empty()
        || previous.is_none()
        || previous.is_some_and(|p| p.spec_hash != spec_hash || !memory.recorded_in(p));
    let state = State {
        format_version: FORMAT_VERSION,
        lineage: previous.map_or_else(|| uuid::Uuid::new_v4().to_string(), |p| p.lineage.clone()),
        serial: previous.map_or(0, |p| p.serial) + u64::from(changed),
        spec_hash: spec_hash.to_owned(),
        artifacts: artifacts
            .iter()
            .map(|a| {
                let record = ArtifactRecord {
                    sha256: crate::hash::sha256_hex(a.content.as_bytes()),
                    mode: a.mode,
                    step: a.step.clone(),
                    node: a.node.clone(),
                };
                (a.path.clone(), record)
            })
            .collect(),
        windows_support: Some(memory.windows_support),
        nodes: memory.nodes.clone(),
        removed_nodes: memory.removed_nodes.clone(),
    };
    report.serial = state.serial;
    if changed {
        write_atomic(target.state_path, state.to_json().as_bytes(), 0o644)?;
    }
    Ok(report)
}

/// Writes a file through a synced temporary file in the same directory and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<(), ApplyError> {
    let err = |source| ApplyError {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(err)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".kubeplan-")
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(mode))
        .map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// Removes a file and then every directory it leaves empty, up to the out dir.
fn remove(path: &Path, out_dir: &Path) -> Result<(), ApplyError> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(ApplyError {
                path: path.to_owned(),
                source,
            })
        }
    }
    let mut dir = path.parent();
    while let Some(d) = dir.filter(|d| d.starts_with(out_dir) && *d != out_dir) {
        if fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}
