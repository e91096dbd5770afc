//! `apply`: writes the planned artifacts into the out dir, then records them in the state.
//! Every file is written to a temporary file in the staging folder, synced and renamed,
//! so a reader never sees half a file; the state is written last, after the state it
//! replaces is copied to `STATE.backup`.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

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
    /// A path that is not a normalised relative path inside the out dir: nothing was written.
    Path {
        path: String,
        problem: crate::outdir::BadPath,
    },
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
            ApplyError::Path { path, problem } => write!(
                f,
                "the artifact path {path:?} is not a path inside the out dir: {problem}; nothing was written"
            ),
            ApplyError::Io { path, source } => {
                write!(f, "cannot write {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for ApplyError {}

impl From<crate::outdir::OutDirError> for ApplyError {
    fn from(e: crate::outdir::OutDirError) -> Self {
        ApplyError::Io {
            path: e.path,
            source: e.source,
        }
    }
}

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
    check_paths(plan)?;
    let drifted: Vec<(String, Drift)> = plan
        .drifted()
        .filter_map(|c| Some((c.path.clone(), c.drift?)))
        .collect();
    if !drifted.is_empty() && !target.force {
        return Err(ApplyError::Drift(drifted));
    }
    let staging = target.out_dir.join(STAGING);
    clear_leftovers(&staging, target.state_path)?;
    let by_path: std::collections::HashMap<&str, &Artifact> =
        artifacts.iter().map(|a| (a.path.as_str(), a)).collect();
    let mut writes: Vec<&Artifact> = Vec::new();
    let mut report = Report::default();
    for change in &plan.changes {
        match change.action {
            Action::Create => report.created += 1,
            Action::Update => report.updated += 1,
            _ => continue,
        }
        let a = by_path[change.path.as_str()];
        writes.push(a);
    }
    write_all(&writes, &staging, target)?;
    for change in &plan.changes {
        let remove = || crate::outdir::remove(target.out_dir, &change.path, target.force);
        match change.action {
            Action::Delete => {
                remove()?;
                report.deleted += 1;
            }
            // A file to delete that is already gone: its folder may be left, empty.
            Action::Record if change.after_sha256.is_none() => remove()?,
            _ => {}
        }
    }
    let changed = !plan.is_empty()
        || previous.is_none()
        || previous.is_some_and(|p| p.spec_hash != spec_hash || !memory.recorded_in(p));
    let state = State {
        format_version: FORMAT_VERSION,
        lineage: previous.map_or_else(|| uuid::Uuid::new_v4().to_string(), |p| p.lineage.clone()),
        cluster: Some(memory.cluster.clone()),
        serial: previous.map_or(0, |p| p.serial) + u64::from(changed),
        spec_hash: spec_hash.to_owned(),
        artifacts: artifacts
            .iter()
            .map(|a| {
                let record = ArtifactRecord {
                    sha256: a.sha256.clone(),
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

/// Refuses a plan with a path (from the spec or the state) that is not a normalised
/// relative path inside the out dir, before any file is touched.
fn check_paths(plan: &Plan) -> Result<(), ApplyError> {
    for change in &plan.changes {
        crate::outdir::check_path(&change.path).map_err(|problem| ApplyError::Path {
            path: change.path.clone(),
            problem,
        })?;
    }
    Ok(())
}

/// The folder in the out dir where artifacts are written before they are renamed into
/// place; it exists only while an apply runs (or after one was killed).
pub const STAGING: &str = ".kubeplan-tmp";

/// The prefix of temporary files in the staging folder; beside the state a temporary
/// file's name starts with its target's, see [`temp_prefix`].
const TEMP_PREFIX: &str = ".kubeplan-tmp-";

/// The name a temporary file for `target` starts with: `.NAME.kubeplan-tmp-`, so that a
/// run cleaning up after a killed one removes only its own state's temporary files, not
/// those of another state in the same folder or a user's file.
fn temp_prefix(target: &Path) -> String {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    format!(".{name}{TEMP_PREFIX}")
}

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
    let ours = [
        temp_prefix(state_path),
        temp_prefix(&crate::state::backup_path(state_path)),
    ];
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if ours.iter().any(|prefix| name.starts_with(prefix.as_str())) {
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

/// Writes the artifacts to create or update: each to a file of its own in `staging` (in
/// parallel), then one sync of the filesystem, then each renamed into place, then a
/// second sync for the renames. A reader never sees half a file, and a file is renamed
/// into place only once its content is on disk. Removes `staging` at the end. No link
/// below the out dir is followed (see `outdir`); a folder this run made is removed
/// again if the run fails and leaves it empty.
fn write_all(writes: &[&Artifact], staging: &Path, target: &Target<'_>) -> Result<(), ApplyError> {
    if writes.is_empty() {
        return Ok(());
    }
    let mut made = Vec::new();
    let written = stage_and_rename(writes, staging, target, &mut made);
    if written.is_err() {
        crate::outdir::remove_empty(&made);
    }
    written
}

fn stage_and_rename(
    writes: &[&Artifact],
    staging: &Path,
    target: &Target<'_>,
    made: &mut Vec<PathBuf>,
) -> Result<(), ApplyError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ApplyError::Io { path, source }
    };
    fs::create_dir_all(target.out_dir).map_err(io(target.out_dir))?;
    // Not create_dir_all: a link planted at the staging folder since clear_leftovers
    // removed it makes this fail instead of staging files where it points.
    fs::create_dir(staging).map_err(io(staging))?;
    // Every place first, so a folder or link in the way stops the run before any rename.
    for a in writes {
        crate::outdir::make_place(target.out_dir, &a.path, target.force, made)?;
    }
    let staged: Vec<PathBuf> = (0..writes.len())
        .map(|i| staging.join(format!("{TEMP_PREFIX}{i}")))
        .collect();
    writes.par_iter().zip(&staged).try_for_each(|(a, temp)| {
        let content = a.text().ok_or_else(|| {
            io(&target.out_dir.join(&a.path))(std::io::Error::other(
                "internal error: the artifact was not rendered",
            ))
        })?;
        let mut file = fs::File::create_new(temp).map_err(io(temp))?;
        file.write_all(content.as_bytes()).map_err(io(temp))?;
        file.set_permissions(fs::Permissions::from_mode(a.mode))
            .map_err(io(temp))
    })?;
    sync_filesystem(staging)?;
    writes.par_iter().zip(&staged).try_for_each(|(a, temp)| {
        crate::outdir::rename_into(temp, target.out_dir, &a.path, target.force)
            .map_err(ApplyError::from)
    })?;
    sync_filesystem(staging)?;
    fs::remove_dir(staging).map_err(io(staging))
}

/// Flushes everything written to the filesystem that holds `dir` (syncfs(2)): one call
/// instead of an fsync per file.
fn sync_filesystem(dir: &Path) -> Result<(), ApplyError> {
    let io = |source| ApplyError::Io {
        path: dir.to_owned(),
        source,
    };
    let folder = fs::File::open(dir).map_err(io)?;
    rustix::fs::syncfs(&folder).map_err(|e| io(e.into()))
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
    let prefix = temp_prefix(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
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
