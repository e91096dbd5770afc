//! The journal of an apply in flight: `STATE.inflight` beside the state. Before `apply`
//! touches the out dir it records, durably, every path it may create, update or delete,
//! with the content the state records there (before) and the content it writes (after);
//! it removes the journal once the new state is on disk. A journal found by the next
//! run means an apply stopped part way (killed, a signal, a full disk, a refused
//! rename): a file holding any content the journal names is kubeplan's own, not drift,
//! and a path the journal names that the spec no longer wants is planned for deletion.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::plan::{Action, Plan};
use crate::render::Artifact;
use crate::state::State;

/// The journal format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// What an apply in flight may have written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Journal {
    pub format_version: u32,
    /// By path under the out dir: every write an unfinished apply may have made there
    /// (several when applies were interrupted one after another).
    pub artifacts: BTreeMap<String, Entry>,
}

/// One path of the journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub step: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    pub writes: Vec<Write>,
}

/// One planned write: the path held `before` (none: no file) and gets `after` (none:
/// deleted). After an interruption the file holds either.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Write {
    pub before: Option<Content>,
    pub after: Option<Content>,
}

/// A file's content hash and mode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    pub sha256: String,
    pub mode: u32,
}

/// Why a journal could not be used.
#[derive(Debug)]
pub enum JournalError {
    Read(PathBuf, std::io::Error),
    Parse(PathBuf, String),
}

impl std::fmt::Display for JournalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (path, why) = match self {
            JournalError::Read(path, e) => (path, e.to_string()),
            JournalError::Parse(path, e) => (path, e.clone()),
        };
        write!(
            f,
            "{}: cannot read the journal of an interrupted apply: {why}",
            path.display()
        )
    }
}

impl crate::error::Hint for JournalError {
    fn hint(&self) -> Option<String> {
        Some("kubeplan writes this file before an apply touches the out dir and removes it after; if no apply of this state is running, check the out dir against the state, then remove it".to_owned())
    }
}

impl std::error::Error for JournalError {}

/// The journal of a state file: `kubeplan.state.json.inflight` beside it.
pub fn journal_path(state_path: &Path) -> PathBuf {
    let mut name = state_path.file_name().unwrap_or_default().to_os_string();
    name.push(".inflight");
    state_path.with_file_name(name)
}

/// Reads the journal beside `state_path`; `Ok(None)` when no apply was interrupted.
pub fn load(state_path: &Path) -> Result<Option<Journal>, JournalError> {
    let path = journal_path(state_path);
    // Written through a temporary file and a rename, the journal is never a link: one put
    // there is not followed (O_NOFOLLOW fails with ELOOP), as the state's folder is all
    // kubeplan reads besides the out dir.
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let opened = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path);
    let mut text = String::new();
    match opened.and_then(|mut f| f.read_to_string(&mut text)) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(JournalError::Parse(
                path,
                "it is a link, and kubeplan does not follow a link there".to_owned(),
            ))
        }
        Err(e) => return Err(JournalError::Read(path, e)),
    }
    parse(&text)
        .map(Some)
        .map_err(|why| JournalError::Parse(path, why))
}

/// Parses journal text and checks its version and paths.
pub fn parse(text: &str) -> Result<Journal, String> {
    let journal: Journal = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if journal.format_version != FORMAT_VERSION {
        return Err(format!(
            "format_version {}; this kubeplan reads {FORMAT_VERSION}",
            journal.format_version
        ));
    }
    if let Some(bad) = journal.artifacts.keys().find(|p| !inside(p)) {
        return Err(format!("{bad:?} is not a relative path inside the out dir"));
    }
    Ok(journal)
}

/// True for a normalised relative path: no root, no `.` or `..`, no empty part.
fn inside(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && path.split('/').all(|part| !part.is_empty())
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Whether a file's owner-executable bit is set: the part of its mode kubeplan compares.
fn executable(mode: u32) -> bool {
    mode & 0o100 != 0
}

impl Journal {
    /// The journal of applying `plan` against `state`, keeping what `earlier` (the
    /// journal of an apply that did not finish) lists: the out dir may still hold any of
    /// it. Lists every change but the unchanged.
    pub fn of(
        plan: &Plan,
        artifacts: &[Artifact],
        state: Option<&State>,
        earlier: Option<&Journal>,
    ) -> Journal {
        let mut journal = earlier.cloned().unwrap_or(Journal {
            format_version: FORMAT_VERSION,
            artifacts: BTreeMap::new(),
        });
        let modes: HashMap<&str, u32> = artifacts
            .iter()
            .map(|a| (a.path.as_str(), a.mode))
            .collect();
        for c in plan
            .changes
            .iter()
            .filter(|c| c.action != Action::Unchanged)
        {
            let before = state
                .and_then(|s| s.artifacts.get(&c.path))
                .map(|r| Content {
                    sha256: r.sha256.clone(),
                    mode: r.mode,
                });
            let after = c.after_sha256.clone().map(|sha256| Content {
                sha256,
                mode: modes.get(c.path.as_str()).copied().unwrap_or(0o644),
            });
            let write = Write { before, after };
            let entry = journal.artifacts.entry(c.path.clone()).or_insert(Entry {
                step: c.step.clone(),
                node: c.node.clone(),
                writes: Vec::new(),
            });
            if !entry.writes.contains(&write) {
                entry.writes.push(write);
            }
        }
        journal
    }

    /// The content the unfinished applies last meant to leave at `path`: the latest
    /// write's, or the content before it where that write deletes.
    pub fn written(&self, path: &str) -> Option<String> {
        let writes = &self.artifacts.get(path)?.writes;
        let after = writes.iter().rev().find_map(|w| w.after.as_ref());
        let before = || writes.iter().rev().find_map(|w| w.before.as_ref());
        after.or_else(before).map(|c| c.sha256.clone())
    }

    pub fn is_empty(&self) -> bool {
        self.artifacts.is_empty()
    }

    /// True when the file now at `path` (its hash and mode, or none) is something an
    /// unfinished apply may have left there: the content before or after one of its
    /// writes (or no file, where one created or deleted it).
    pub fn knows(&self, path: &str, current: Option<(&str, u32)>) -> bool {
        let Some(entry) = self.artifacts.get(path) else {
            return false;
        };
        let is = |content: &Option<Content>| match (content, current) {
            (None, None) => true,
            (Some(c), Some((hash, mode))) => {
                c.sha256 == hash && executable(c.mode) == executable(mode)
            }
            _ => false,
        };
        entry.writes.iter().any(|w| is(&w.before) || is(&w.after))
    }

    /// The journal as written: one line of JSON.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string(self).expect("journal serializes");
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_relative_paths_inside_the_out_dir_are_read() {
        let journal = |path: &str| {
            format!(
                r#"{{"format_version":1,"artifacts":{{{path:?}:{{"step":"init","writes":[]}}}}}}"#
            )
        };
        assert!(parse(&journal("cp-1/bootstrap.sh")).is_ok());
        for bad in [
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "./a",
            "",
            "a\\..\\b",
        ] {
            let err = parse(&journal(bad)).unwrap_err();
            assert!(err.contains("not a relative path"), "{bad}: {err}");
        }
        let other = r#"{"format_version":2,"artifacts":{}}"#;
        assert!(parse(other).unwrap_err().contains("format_version 2"));
    }

    #[test]
    fn a_file_is_known_by_its_content_before_or_after_and_its_executable_bit() {
        let content = |sha: &str, mode| {
            Some(Content {
                sha256: sha.to_owned(),
                mode,
            })
        };
        let mut journal = Journal::default();
        journal.artifacts.insert(
            "a.sh".to_owned(),
            Entry {
                step: "init".to_owned(),
                node: None,
                writes: vec![Write {
                    before: content("old", 0o755),
                    after: content("new", 0o755),
                }],
            },
        );
        journal.artifacts.insert(
            "b.sh".to_owned(),
            Entry {
                step: "init".to_owned(),
                node: None,
                writes: vec![Write {
                    before: None,
                    after: content("new", 0o644),
                }],
            },
        );
        assert!(journal.knows("a.sh", Some(("old", 0o700))));
        assert!(journal.knows("a.sh", Some(("new", 0o755))));
        assert!(!journal.knows("a.sh", Some(("new", 0o644))), "mode differs");
        assert!(!journal.knows("a.sh", Some(("edit", 0o755))));
        assert!(!journal.knows("a.sh", None), "neither write removes it");
        assert!(journal.knows("b.sh", None), "not created yet");
        assert!(!journal.knows("c.sh", None), "not in the journal");
    }
}
