//! `apply`: writes the planned artifacts into the out dir, then records them in the state.
//! Every file is written to a temporary file beside its target, synced and renamed,
//! so a reader never sees half a file; the state is written last, after the state it
//! replaces is copied to `STATE.backup`.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::journal::{self, Journal};
use crate::outdir::Found;
use crate::plan::{Action, Drift, Plan};
use crate::render::Artifact;
use crate::state::{ArtifactRecord, ClusterRecord, State, FORMAT_VERSION};

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
    /// The journal of an earlier apply cannot be read: nothing was written.
    Journal(crate::journal::JournalError),
    /// Stopped after the journal was written, by a signal or a failure.
    Stopped { why: Stop, progress: Progress },
}

/// What stopped an apply part way.
#[derive(Debug)]
pub enum Stop {
    /// SIGINT, SIGTERM or SIGHUP (see `signals`).
    Signal(i32),
    Failed(Box<ApplyError>),
}

/// How far an apply that stopped got.
#[derive(Debug, Default)]
pub struct Progress {
    /// Files to create or update, and how many of them are in place.
    pub to_write: usize,
    pub written: usize,
    /// Files to delete, and how many are gone.
    pub to_delete: usize,
    pub deleted: usize,
    /// The journal that lists what the apply may have written.
    pub journal: PathBuf,
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.written == 0 && self.deleted == 0 {
            return write!(
                f,
                "no file in the out dir was written or deleted, and the state is as before"
            );
        }
        write!(
            f,
            "{} of {} file(s) were written into place and {} of {} deleted; the state was not updated. {} lists every file this apply may have written: the next plan shows what is left to do, without drift, and the next apply finishes the job",
            self.written,
            self.to_write,
            self.deleted,
            self.to_delete,
            self.journal.display()
        )
    }
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
                Ok(())
            }
            ApplyError::Path { path, problem } => write!(
                f,
                "the artifact path {path:?} is not a path inside the out dir: {problem}; nothing was written"
            ),
            ApplyError::Io { path, source } => {
                write!(f, "cannot write {}: {source}", path.display())
            }
            ApplyError::Journal(e) => write!(f, "{e}"),
            ApplyError::Stopped {
                why: Stop::Signal(signal),
                progress,
            } => write!(
                f,
                "apply stopped by {}: {progress}",
                crate::signals::name(*signal)
            ),
            ApplyError::Stopped {
                why: Stop::Failed(e),
                progress,
            } => write!(f, "{e}\napply stopped: {progress}"),
        }
    }
}

impl std::error::Error for ApplyError {}

impl crate::error::Hint for ApplyError {
    fn hint(&self) -> Option<String> {
        match self {
            ApplyError::Drift(_) => Some("keep a change by making it in the spec, or pass --force to let apply overwrite, restore or delete these files".to_owned()),
            ApplyError::Journal(e) => e.hint(),
            ApplyError::Stopped {
                why: Stop::Failed(e),
                ..
            } => e.hint(),
            ApplyError::Path { .. } | ApplyError::Io { .. } | ApplyError::Stopped { .. } => None,
        }
    }
}

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
/// Before it touches the out dir it writes the journal (`journal`), and removes it once
/// the new state is on disk; stops at the next safe point on SIGINT, SIGTERM or SIGHUP.
pub fn apply(
    plan: &Plan,
    artifacts: &[Artifact],
    previous: Option<&State>,
    spec_hash: &str,
    record: &ClusterRecord,
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
    let earlier = journal::load(target.state_path).map_err(ApplyError::Journal)?;
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
    let mut progress = Progress {
        to_write: writes.len(),
        to_delete: plan.count(Action::Delete),
        journal: journal::journal_path(target.state_path),
        ..Progress::default()
    };
    let state_dir = parent(target.state_path);
    // Every path this apply may write is on disk before the out dir is touched.
    let journal = Journal::of(plan, artifacts, previous, earlier.as_ref());
    // A run stopped before it wrote into place or deleted any file leaves no journal,
    // unless an earlier run's is in it.
    let stopped = |why: Stop, progress: Progress| {
        if progress.written == 0 && progress.deleted == 0 && earlier.is_none() {
            let _ = fs::remove_file(&progress.journal);
        }
        ApplyError::Stopped { why, progress }
    };
    let failed = |e: ApplyError| Stop::Failed(Box::new(e));
    if !journal.is_empty() {
        let json = journal.to_json();
        let written = write_atomic(&progress.journal, json.as_bytes(), 0o644, state_dir)
            .and_then(|()| sync_folder(state_dir));
        if let Err(e) = written {
            return Err(stopped(failed(e), progress));
        }
    }
    if let Some(signal) = crate::signals::caught() {
        return Err(stopped(Stop::Signal(signal), progress));
    }
    if let Err(e) = clear_leftovers(target.out_dir, target.state_path, earlier.as_ref()) {
        return Err(stopped(failed(e), progress));
    }
    let written = std::sync::atomic::AtomicUsize::new(0);
    let outcome = write_all(&writes, target, &written);
    progress.written = written.into_inner();
    if let Err(why) = outcome {
        return Err(stopped(why, progress));
    }
    for change in &plan.changes {
        let removed = match change.action {
            // A file to delete, or one already gone whose folder may be left empty.
            Action::Delete => crate::outdir::remove(target.out_dir, &change.path, target.force),
            Action::Record if change.after_sha256.is_none() => {
                crate::outdir::remove(target.out_dir, &change.path, target.force)
            }
            _ => continue,
        };
        if let Err(e) = removed {
            return Err(stopped(failed(e.into()), progress));
        }
        if change.action == Action::Delete {
            report.deleted += 1;
            progress.deleted += 1;
        }
    }
    // Folders the unfinished apply made for files that never reached them.
    let unwanted = earlier
        .iter()
        .flat_map(|j| j.artifacts.keys())
        .filter(|p| !by_path.contains_key(p.as_str()));
    for path in unwanted {
        if matches!(crate::outdir::find(target.out_dir, path), Found::Nothing) {
            let _ = crate::outdir::remove(target.out_dir, path, false);
        }
    }
    let changed = !plan.is_empty()
        || previous.is_none()
        || previous.is_some_and(|p| p.spec_hash != spec_hash || !record.recorded_in(p));
    let state = State {
        format_version: FORMAT_VERSION,
        lineage: previous.map_or_else(|| uuid::Uuid::new_v4().to_string(), |p| p.lineage.clone()),
        cluster: Some(record.cluster.clone()),
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
        windows_support: Some(record.windows_support),
        nodes: record.nodes.clone(),
        removed_nodes: record.removed_nodes.clone(),
        facts: Some(record.facts.clone()),
        checksum: None,
    };
    report.serial = state.serial;
    if changed {
        let written = keep_backup(target.state_path, state_dir).and_then(|()| {
            write_atomic(
                target.state_path,
                state.into_json().as_bytes(),
                0o644,
                state_dir,
            )
        });
        if let Err(e) = written {
            return Err(stopped(failed(e), progress));
        }
    }
    if !journal.is_empty() {
        // The new state's rename is durable before the journal goes: a crash in between
        // leaves a journal beside the new state, which only says what it already records.
        if let Err(e) = sync_folder(state_dir) {
            return Err(stopped(failed(e), progress));
        }
        let _ = fs::remove_file(&progress.journal);
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
/// The folder in the out dir where artifacts were written before they were renamed
/// into place, before each was staged beside its target; removed when an older kubeplan
/// left it.
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

/// The name an artifact at `path` is staged under before it is renamed into place: in
/// its own folder, `.NAME.kubeplan-tmp-staged`, so the rename never crosses a filesystem
/// (a node folder may be a mount of its own) and a run finds what a killed one staged
/// from the journal's paths alone.
pub fn staged_name(path: &str) -> String {
    format!("{}staged", temp_prefix(Path::new(path)))
}

/// Removes the temporary files of an apply that was stopped before it could clean up:
/// the files staged beside each path of its journal (`earlier`), the staging folder of
/// an older kubeplan, and the temporary files of the state, its backup and its journal.
/// Runs under the state lock, so none of them belongs to a running apply.
fn clear_leftovers(
    out_dir: &Path,
    state_path: &Path,
    earlier: Option<&Journal>,
) -> Result<(), ApplyError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ApplyError::Io { path, source }
    };
    let staging = out_dir.join(STAGING);
    match fs::remove_dir_all(&staging) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&staging)(e)),
        _ => {}
    }
    if let Some(earlier) = earlier {
        let paths: Vec<&String> = earlier.artifacts.keys().collect();
        paths.par_iter().try_for_each(|p| {
            crate::outdir::remove_staged(out_dir, p, &staged_name(p)).map_err(ApplyError::from)
        })?;
    }
    let state_dir = parent(state_path);
    let Ok(entries) = fs::read_dir(state_dir) else {
        return Ok(()); // no state folder yet: nothing left over
    };
    let ours = [
        temp_prefix(state_path),
        temp_prefix(&crate::state::backup_path(state_path)),
        temp_prefix(&journal::journal_path(state_path)),
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

/// Writes the artifacts to create or update: each to a file of its own beside its
/// target ([`staged_name`], in parallel), then one sync of each filesystem they are on,
/// then each renamed into place, then a second sync for the renames. A reader never sees
/// half a file, and a file is renamed into place only once its content is on disk.
/// Counts the files renamed into place in `written`. Stops before the renames on a
/// signal; on a signal or a failure it removes what it staged (and the folders that
/// stay empty). Once the renames begin it finishes them: they take a fraction of the
/// time the writes do, and the state follows right after. No link below the out dir is
/// followed: folders are made, and files staged and renamed, from folders opened
/// without following one (see `outdir`).
fn write_all(
    writes: &[&Artifact],
    target: &Target<'_>,
    written: &std::sync::atomic::AtomicUsize,
) -> Result<(), Stop> {
    use std::sync::atomic::Ordering;
    if writes.is_empty() {
        return Ok(());
    }
    let out_dir = target.out_dir;
    let failed = |e: crate::outdir::OutDirError| Stop::Failed(Box::new(e.into()));
    let mut made = Vec::new();
    let undo = |why: Stop, made: &[PathBuf]| {
        writes.par_iter().for_each(|a| {
            let _ = crate::outdir::remove_staged(out_dir, &a.path, &staged_name(&a.path));
            if matches!(crate::outdir::find(out_dir, &a.path), Found::Nothing) {
                let _ = crate::outdir::remove(out_dir, &a.path, false);
            }
        });
        crate::outdir::remove_empty(made);
        why
    };
    let root = match crate::outdir::Root::create(out_dir) {
        Ok(root) => root,
        Err(e) => return Err(failed(e)),
    };
    // Every place first, so a folder or link in the way stops the run before any write.
    for a in writes {
        if let Err(e) = crate::outdir::make_place(&root, &a.path, target.force, &mut made) {
            return Err(undo(failed(e), &made));
        }
    }
    let staged = writes.par_iter().try_for_each(|a| {
        if let Some(signal) = crate::signals::caught() {
            return Err(Stop::Signal(signal));
        }
        let content = a.text().ok_or_else(|| {
            Stop::Failed(Box::new(ApplyError::Io {
                path: out_dir.join(&a.path),
                source: std::io::Error::other("internal error: the artifact was not rendered"),
            }))
        })?;
        let name = staged_name(&a.path);
        crate::outdir::stage(
            &root,
            &a.path,
            &name,
            content.as_bytes(),
            a.mode,
            target.force,
        )
        .map_err(failed)
    });
    if let Err(why) = staged {
        return Err(undo(why, &made));
    }
    let folders: std::collections::BTreeSet<PathBuf> = writes
        .iter()
        .map(|a| parent(&out_dir.join(&a.path)).to_owned())
        .collect();
    let filesystems = match filesystems(&folders) {
        Ok(f) => f,
        Err(why) => return Err(undo(why, &made)),
    };
    if let Err(why) = sync_filesystems(&filesystems) {
        return Err(undo(why, &made));
    }
    if let Some(signal) = crate::signals::caught() {
        return Err(undo(Stop::Signal(signal), &made));
    }
    let renamed = writes.par_iter().try_for_each(|a| {
        let name = staged_name(&a.path);
        crate::outdir::rename_staged(&root, &a.path, &name, target.force).map_err(failed)?;
        written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    });
    if let Err(why) = renamed {
        return Err(undo(why, &made));
    }
    sync_filesystems(&filesystems)
}

/// One folder of each filesystem the folders are on.
fn filesystems(folders: &std::collections::BTreeSet<PathBuf>) -> Result<Vec<&Path>, Stop> {
    use std::os::unix::fs::MetadataExt;
    let mut by_device: std::collections::BTreeMap<u64, &Path> = std::collections::BTreeMap::new();
    for folder in folders {
        let meta = fs::metadata(folder).map_err(|source| {
            Stop::Failed(Box::new(ApplyError::Io {
                path: folder.clone(),
                source,
            }))
        })?;
        by_device.entry(meta.dev()).or_insert(folder);
    }
    Ok(by_device.into_values().collect())
}

/// syncfs(2) on each of `folders`' filesystems.
fn sync_filesystems(folders: &[&Path]) -> Result<(), Stop> {
    folders
        .iter()
        .try_for_each(|dir| sync_filesystem(dir).map_err(|e| Stop::Failed(Box::new(e))))
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

/// Makes the names in `dir` durable (fsync(2) of the folder): a rename into it, or a
/// removal from it, survives a crash.
fn sync_folder(dir: &Path) -> Result<(), ApplyError> {
    let io = |source| ApplyError::Io {
        path: dir.to_owned(),
        source,
    };
    fs::File::open(dir).map_err(io)?.sync_all().map_err(io)
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
