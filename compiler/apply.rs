//! `apply`: writes the planned artifacts into the out dir, then records them in the state.
//! Every file is written to a temporary file in its own directory, synced and renamed, so
//! a reader never sees half a file; the state is written last, after the state it
//! replaces is copied to `STATE.backup`.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::plan::{Action, Drift, Plan};
use crate::render::Artifact;
use crate::state::{ArtifactRecord, Memory, State, FORMAT_VERSION};

/// Where an apply writes, and whether it may overwrite files changed outside kubeplan.
pub struct Target<'a> {
    pub out_dir: &'a Path,
    pub state_path: &'a Path,
    /// Overwrite, restore or delete files that drifted (`apply --force`).
    pub force: bool,
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

/// Why an apply stopped.
#[derive(Debug)]
pub enum ApplyError {
    /// Files changed outside kubeplan, and no `--force`: nothing was written.
    Drift(Vec<(String, Drift)>),
    /// An I/O failure, with the path it happened on.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplyError::Drift(files) => {
                write!(
                    f,
                    "{} file(s) in the out dir were changed outside kubeplan; nothing was written:",
                    files.len()
                )?;
                for (path, drift) in files {
                    write!(f, "\n  {path}: {drift}")?;
                }
                write!(
                    f,
                    "\nhint: keep a change by making it in the spec, or pass --force to let apply overwrite, restore or delete these files"
                )
            }
            ApplyError::Io { path, source } => {
                write!(f, "cannot write {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for ApplyError {}

/// Applies `plan` (made from `artifacts` and `previous`) and writes the new state.
/// Refuses, before writing anything, when a file drifted and `target.force` is off.
pub fn apply(
    plan: &Plan,
    artifacts: &[Artifact],
    previous: Option<&State>,
    spec_hash: &str,
    memory: &Memory,
    target: &Target<'_>,
) -> Result<Report, ApplyError> {
    let drifted: Vec<(String, Drift)> = plan
        .drifted()
        .filter_map(|c| Some((c.path.clone(), c.drift?)))
        .collect();
    if !drifted.is_empty() && !target.force {
        return Err(ApplyError::Drift(drifted));
    }
    let staging = target.out_dir.join(STAGING);
    clear_leftovers(&staging, target.state_path)?;
    fs::create_dir_all(&staging).map_err(|source| ApplyError::Io {
        path: staging.clone(),
        source,
    })?;
    let mut report = Report::default();
    let by_path: std::collections::HashMap<&str, &Artifact> =
        artifacts.iter().map(|a| (a.path.as_str(), a)).collect();
    for change in &plan.changes {
        let path = target.out_dir.join(&change.path);
        match change.action {
            Action::Create | Action::Update => {
                let a = by_path[change.path.as_str()];
                write_atomic(&path, a.content.as_bytes(), a.mode, &staging)?;
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
            // A file to delete that is already gone: its folder may be left, empty.
            Action::Record if change.after_sha256.is_none() => remove(&path, target.out_dir)?,
            Action::Record | Action::Unchanged => {}
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
        checksum: None,
    };
    report.serial = state.serial;
    fs::remove_dir(&staging).map_err(|source| ApplyError::Io {
        path: staging,
        source,
    })?;
    if changed {
        let state_dir = parent(target.state_path);
        keep_backup(target.state_path, state_dir)?;
        write_atomic(
            target.state_path,
            state.to_json().as_bytes(),
            0o644,
            state_dir,
        )?;
    }
    Ok(report)
}

/// The folder in the out dir where artifacts are written before they are renamed into
/// place; it exists only while an apply runs (or after one was killed).
pub const STAGING: &str = ".kubeplan-tmp";

/// The prefix of temporary files, in the staging folder and beside the state.
const TEMP_PREFIX: &str = ".kubeplan-tmp-";

/// Removes the temporary files of an apply that was killed before it could clean up.
/// Runs under the state lock, so none of them belongs to a running apply.
fn clear_leftovers(staging: &Path, state_path: &Path) -> Result<(), ApplyError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ApplyError::Io { path, source }
    };
    match fs::remove_dir_all(staging) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(staging)(e)),
        _ => {}
    }
    let state_dir = parent(state_path);
    let Ok(entries) = fs::read_dir(state_dir) else {
        return Ok(()); // no state folder yet: nothing left over
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            fs::remove_file(entry.path()).map_err(io(&entry.path()))?;
        }
    }
    Ok(())
}

/// The folder a file is in: `.` for a bare file name.
pub fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Copies the state about to be replaced to `STATE.backup` (atomically, like every write).
fn keep_backup(state_path: &Path, state_dir: &Path) -> Result<(), ApplyError> {
    match fs::read(state_path) {
        Ok(old) => write_atomic(
            &crate::state::backup_path(state_path),
            &old,
            0o644,
            state_dir,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(ApplyError::Io {
            path: state_path.to_owned(),
            source,
        }),
    }
}

/// Writes a file through a synced temporary file in `temp_dir` (an existing folder on the
/// same filesystem) and a rename, so the file is either its old self or complete.
pub fn write_atomic(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    temp_dir: &Path,
) -> Result<(), ApplyError> {
    let err = |source| ApplyError::Io {
        path: path.to_owned(),
        source,
    };
    fs::create_dir_all(parent(path)).map_err(err)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(temp_dir)
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
            return Err(ApplyError::Io {
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
