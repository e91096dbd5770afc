//! `plan::diff`: what an apply would change, artifact by artifact, against the state and
//! the files in the out dir.

use std::collections::HashSet;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use similar::TextDiff;

use crate::hash::sha256_hex;
use crate::journal::Journal;
use crate::render::Artifact;
use crate::state::{ArtifactRecord, State};

/// What happens to one artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
    /// The out dir already holds what the spec wants (an interrupted apply wrote it, or
    /// a file to delete is already gone); only the state changes.
    Record,
    Unchanged,
}

impl Action {
    fn symbol(self) -> char {
        match self {
            Action::Create => '+',
            Action::Update => '~',
            Action::Delete => '-',
            Action::Record => '*',
            Action::Unchanged => '=',
        }
    }

    fn word(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Record => "already in place, to record",
            Action::Unchanged => "unchanged",
        }
    }
}

/// How a file in the out dir differs from what the last apply left there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Drift {
    /// Its content or executable bit is not what the state recorded.
    Edited,
    /// The state records it and it is gone.
    Removed,
    /// The state does not record it, and it is in the way of a file to create.
    Untracked,
    /// It is a symbolic link: kubeplan never reads, writes or deletes through one.
    Symlink,
    /// A folder on its path is a symbolic link.
    LinkedFolder,
    /// A folder on its path is a file.
    FileFolder,
    /// It is a folder (or a FIFO, socket or device), not a file.
    NotAFile,
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Drift::Edited => "edited outside kubeplan since the last apply",
            Drift::Removed => "removed outside kubeplan since the last apply",
            Drift::Untracked => "exists, and was not written by kubeplan",
            Drift::Symlink => "is a symbolic link, which kubeplan never follows in the out dir",
            Drift::LinkedFolder => {
                "is in a folder that is a symbolic link, which kubeplan never follows in the out dir"
            }
            Drift::FileFolder => "is in a folder that is a file",
            Drift::NotAFile => "is a folder or a special file, not a regular file",
        })
    }
}

/// The change to one artifact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub path: String,
    pub action: Action,
    pub step: String,
    pub node: Option<String>,
    /// The content hash the state records (what the last apply wrote).
    pub before_sha256: Option<String>,
    /// The content hash of the file now in the out dir.
    pub current_sha256: Option<String>,
    /// The content hash the spec renders now; none for a deletion.
    pub after_sha256: Option<String>,
    /// Set when the file was changed outside kubeplan: apply needs `--force` then.
    pub drift: Option<Drift>,
    /// A unified diff for updates, when the old content could be read.
    #[serde(skip)]
    pub diff: Option<String>,
}

/// Every change, in graph order, deletions last.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Plan {
    pub changes: Vec<Change>,
}

impl Plan {
    /// How many artifacts each action touches: (create, update, delete).
    pub fn counts(&self) -> (usize, usize, usize) {
        (
            self.count(Action::Create),
            self.count(Action::Update),
            self.count(Action::Delete),
        )
    }

    /// How many changes have `action`.
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }

    /// The changes to files that were changed outside kubeplan.
    pub fn drifted(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.drift.is_some())
    }

    /// True when applying would change nothing.
    pub fn is_empty(&self) -> bool {
        self.changes.iter().all(|c| c.action == Action::Unchanged)
    }
}

/// What is now at an artifact's path in the out dir.
pub enum OnDisk {
    /// A regular file.
    File { bytes: Vec<u8>, mode: u32 },
    /// A link, or a file or folder in the way, that kubeplan does not read through.
    Blocked(Drift),
}

impl OnDisk {
    /// What is at `path` under the out dir, if anything can be read there; a symbolic
    /// link below the out dir is never followed (see `outdir`).
    pub fn read(out_dir: &crate::outdir::Root, path: &str) -> Option<OnDisk> {
        use crate::outdir::Found;
        use std::io::Read;
        let (mut file, len, mode) = match out_dir.find(path) {
            Found::File { file, len, mode } => (file, len, mode),
            Found::Nothing | Found::Unreadable => return None,
            Found::Link => return Some(OnDisk::Blocked(Drift::Symlink)),
            Found::LinkedFolder => return Some(OnDisk::Blocked(Drift::LinkedFolder)),
            Found::FileFolder => return Some(OnDisk::Blocked(Drift::FileFolder)),
            Found::NotAFile => return Some(OnDisk::Blocked(Drift::NotAFile)),
        };
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        file.read_to_end(&mut bytes).ok()?;
        Some(OnDisk::File { bytes, mode })
    }

    /// The file's content and mode; none when something else is in the way.
    pub(crate) fn file(&self) -> Option<(&[u8], u32)> {
        match self {
            OnDisk::File { bytes, mode } => Some((bytes, *mode)),
            OnDisk::Blocked(_) => None,
        }
    }
}

/// True when `current` is a file with content hash `sha256` (its hash is `hash`) and
/// `mode`'s owner-executable bit.
pub(crate) fn holds(current: (&[u8], u32), hash: &str, sha256: &str, mode: u32) -> bool {
    hash == sha256 && executable(current.1) == executable(mode)
}

/// Whether a file is executable by its owner: the one part of its mode kubeplan
/// compares, since group and other bits follow the umask of whoever checked it out.
fn executable(mode: u32) -> bool {
    mode & 0o100 != 0
}

/// Compares the rendered artifacts with the state and the out dir. `read_current` gives
/// the file now in the out dir at a path, if any. A file whose content differs from both
/// the state's record and the spec was changed outside kubeplan: it is planned with its
/// drift, and apply refuses it without `--force`. A file that already holds what the
/// spec wants is not rewritten, whatever the state says (an interrupted apply). An
/// artifact that was not rendered (its node is unchanged, see `incremental`) is unchanged.
/// Files are read and hashed in parallel.
pub fn diff(
    artifacts: &[Artifact],
    state: Option<&State>,
    read_current: impl Fn(&str) -> Option<OnDisk> + Sync,
) -> Plan {
    diff_after(artifacts, state, None, read_current)
}

/// `diff` after an apply that did not finish, whose journal is `journal`: a file holding
/// content that apply may have left (before or after one of its writes, or no file where
/// it created or deleted one) is kubeplan's own, not drift; and a path it may have
/// written that neither the spec nor the state wants is deleted.
pub fn diff_after(
    artifacts: &[Artifact],
    state: Option<&State>,
    journal: Option<&Journal>,
    read_current: impl Fn(&str) -> Option<OnDisk> + Sync,
) -> Plan {
    let mut changes: Vec<Change> = artifacts
        .par_iter()
        .map(|a| change(a, state, journal, &read_current))
        .collect();
    // Whether the file at `path` (its hash and mode, none for no file) is what the
    // unfinished apply may have left there.
    let ours = |path: &str, file: Option<(&str, u32)>| journal.is_some_and(|j| j.knows(path, file));
    let rendered: HashSet<&str> = artifacts.iter().map(|a| a.path.as_str()).collect();
    if let Some(state) = state {
        let gone: Vec<(&String, &ArtifactRecord)> = state
            .artifacts
            .iter()
            .filter(|(p, _)| !rendered.contains(p.as_str()))
            .collect();
        changes.par_extend(gone.par_iter().map(|(path, r)| {
            let current = read_current(path);
            let file = current.as_ref().and_then(OnDisk::file);
            let current_hash = file.map(|f| sha256_hex(f.0));
            let (action, drift) = match (&current, file.zip(current_hash.as_deref())) {
                // Deleting it means removing the link itself: only with --force.
                (Some(OnDisk::Blocked(d @ (Drift::Symlink | Drift::LinkedFolder))), _) => {
                    (Action::Delete, Some(*d))
                }
                // A file or folder where it was: the artifact is gone, that is left.
                (_, None) => (Action::Record, None),
                (_, Some((f, hash))) if holds(f, hash, &r.sha256, r.mode) => (Action::Delete, None),
                (_, Some((f, hash))) if ours(path, Some((hash, f.1))) => (Action::Delete, None),
                (_, Some(_)) => (Action::Delete, Some(Drift::Edited)),
            };
            Change {
                path: (*path).clone(),
                action,
                step: r.step.clone(),
                node: r.node.clone(),
                before_sha256: Some(r.sha256.clone()),
                current_sha256: current_hash,
                after_sha256: None,
                drift,
                diff: None,
            }
        }));
    }
    if let Some(journal) = journal {
        // Written by the unfinished apply, and wanted by neither the spec nor the state:
        // deleted when it is there (a file kubeplan did not write is drift).
        let tracked = |p: &str| state.is_some_and(|s| s.artifacts.contains_key(p));
        let left: Vec<(&String, &crate::journal::Entry)> = journal
            .artifacts
            .iter()
            .filter(|(p, _)| !rendered.contains(p.as_str()) && !tracked(p))
            .collect();
        changes.par_extend(left.par_iter().filter_map(|(path, entry)| {
            let current = read_current(path)?;
            let (hash, drift) = match current {
                OnDisk::File { bytes, mode } => {
                    let hash = sha256_hex(&bytes);
                    let drift = (!ours(path, Some((&hash, mode)))).then_some(Drift::Untracked);
                    (Some(hash), drift)
                }
                // A link there: removed itself, and only with --force.
                OnDisk::Blocked(d @ (Drift::Symlink | Drift::LinkedFolder)) => (None, Some(d)),
                // A folder or a file in the way: not what the apply wrote, left.
                OnDisk::Blocked(_) => return None,
            };
            Some(Change {
                path: (*path).clone(),
                action: Action::Delete,
                step: entry.step.clone(),
                node: entry.node.clone(),
                before_sha256: journal.written(path),
                current_sha256: hash,
                after_sha256: None,
                drift,
                diff: None,
            })
        }));
    }
    Plan { changes }
}

/// The change to one artifact of the spec.
fn change(
    a: &Artifact,
    state: Option<&State>,
    journal: Option<&Journal>,
    read_current: impl Fn(&str) -> Option<OnDisk>,
) -> Change {
    let after = &a.sha256;
    let recorded = state.and_then(|s| s.artifacts.get(&a.path));
    let Some(content) = a.text() else {
        // Not rendered: the out dir holds exactly what the state records.
        return Change {
            path: a.path.clone(),
            action: Action::Unchanged,
            step: a.step.clone(),
            node: a.node.clone(),
            before_sha256: Some(after.clone()),
            current_sha256: Some(after.clone()),
            after_sha256: Some(after.clone()),
            drift: None,
            diff: None,
        };
    };
    let current = read_current(&a.path);
    let file = current.as_ref().and_then(OnDisk::file);
    let current_hash = file.map(|f| sha256_hex(f.0));
    let on_disk = |sha: &str, mode: u32| {
        file.is_some_and(|f| executable(f.1) == executable(mode))
            && current_hash.as_deref() == Some(sha)
    };
    // What an unfinished apply may have left there (see `diff_after`); never a link or
    // anything else in the way, which kubeplan does not make.
    let ours = !matches!(current, Some(OnDisk::Blocked(_)))
        && journal
            .is_some_and(|j| j.knows(&a.path, current_hash.as_deref().zip(file.map(|f| f.1))));
    let (action, drift) = if let Some(OnDisk::Blocked(d)) = &current {
        let action = match recorded {
            Some(_) => Action::Update,
            None => Action::Create,
        };
        (action, Some(*d))
    } else if on_disk(after, a.mode) {
        match recorded {
            Some(r) if r.sha256 == *after && r.mode == a.mode => (Action::Unchanged, None),
            _ => (Action::Record, None),
        }
    } else {
        match (recorded, &current) {
            (None, None) => (Action::Create, None),
            (None, Some(_)) if ours => (Action::Create, None),
            (None, Some(_)) => (Action::Create, Some(Drift::Untracked)),
            (Some(r), _) if on_disk(&r.sha256, r.mode) => (Action::Update, None),
            (Some(_), _) if ours => (Action::Update, None),
            (Some(_), None) => (Action::Update, Some(Drift::Removed)),
            (Some(_), Some(_)) => (Action::Update, Some(Drift::Edited)),
        }
    };
    let diff = match (action, file) {
        (Action::Update | Action::Create, Some((old, _))) => {
            Some(unified(&a.path, &String::from_utf8_lossy(old), content))
        }
        (Action::Update, None) => Some(unified(&a.path, "", content)),
        _ => None,
    };
    Change {
        path: a.path.clone(),
        action,
        step: a.step.clone(),
        node: a.node.clone(),
        before_sha256: recorded.map(|r| r.sha256.clone()),
        current_sha256: current_hash,
        after_sha256: Some(after.clone()),
        drift,
        diff,
    }
}

fn unified(path: &str, old: &str, new: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// The plan as people read it: one line per artifact to change, diffs under updates,
/// drift called out, and the summary. Unchanged artifacts are not listed.
pub fn render_human(plan: &Plan) -> String {
    let mut out = String::new();
    if !plan.is_empty() {
        out.push_str("kubeplan will perform the following actions:\n\n");
    }
    for c in plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Unchanged)
    {
        out.push_str(&format!(
            "  {} {} ({}, step {})\n",
            c.action.symbol(),
            c.path,
            c.action.word(),
            c.step
        ));
        if let Some(drift) = c.drift {
            out.push_str(&format!("      ! drift: {drift}\n"));
        }
        if let Some(d) = &c.diff {
            for line in d.lines() {
                out.push_str("      ");
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    let (create, update, delete) = plan.counts();
    if plan.is_empty() {
        out.push_str("\nNo changes. The out dir and the state match the spec.\n");
        return out;
    }
    out.push_str(&format!(
        "\nPlan: {create} to create, {update} to update, {delete} to delete."
    ));
    let record = plan.count(Action::Record);
    if record > 0 {
        out.push_str(&format!(
            " {record} already in place, to record in the state."
        ));
    }
    out.push('\n');
    let drifted = plan.drifted().count();
    if drifted > 0 {
        out.push_str(&format!(
            "\nDrift: {drifted} file(s) in the out dir were changed outside kubeplan (marked `! drift`).\napply refuses to overwrite or delete them unless --force is given.\n"
        ));
    }
    out
}
