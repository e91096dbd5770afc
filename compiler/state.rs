//! `kubeplan.state.json`: what the last apply wrote, so the next plan knows what changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The state format this build writes. It also reads format 1, which had no checksum,
/// format 2, which had no node inputs hashes, and format 3, which did not name the
/// cluster. Every format's artifact paths are checked alike (see [`parse`]).
pub const FORMAT_VERSION: u32 = 4;

/// The recorded result of the last apply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub format_version: u32,
    /// A random id given when the state is first written; it never changes afterwards.
    pub lineage: String,
    /// The name of the cluster the state describes (format 4); a spec naming another
    /// cluster is refused (KP053). Absent in older states: the next apply records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// Increases by one with every apply that changed something.
    pub serial: u64,
    /// SHA-256 over the spec files the last apply read.
    pub spec_hash: String,
    /// Every artifact written, by its path under the out dir.
    pub artifacts: BTreeMap<String, ArtifactRecord>,
    /// Whether the cluster was created with Windows support (absent in older states).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub windows_support: Option<bool>,
    /// The nodes of the spec the last apply read.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub nodes: BTreeMap<String, NodeRecord>,
    /// Nodes removed from the spec whose cleanup scripts are kept in the out dir.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub removed_nodes: BTreeMap<String, NodeRecord>,
    /// SHA-256 over the state's own text without this field; set by `to_json`, checked
    /// by `load`, so a state changed outside kubeplan is noticed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
}

/// What the state remembers about the cluster besides its artifacts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterRecord {
    /// The cluster's name.
    pub cluster: String,
    pub windows_support: bool,
    pub nodes: BTreeMap<String, NodeRecord>,
    pub removed_nodes: BTreeMap<String, NodeRecord>,
}

impl ClusterRecord {
    /// True when `state` already records exactly this.
    pub fn recorded_in(&self, state: &State) -> bool {
        state.cluster.as_deref() == Some(self.cluster.as_str())
            && state.windows_support == Some(self.windows_support)
            && state.nodes == self.nodes
            && state.removed_nodes == self.removed_nodes
    }
}

/// What kubeplan remembers of a node: enough to keep its pod CIDR and to clean it up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeRecord {
    /// `linux` or `windows`.
    pub os: String,
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_cidr: Option<String>,
    /// SHA-256 over everything the node's artifacts were rendered from (format 3): a
    /// plan does not render a node again while this is unchanged and its files are
    /// as recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<String>,
}

/// One artifact as the last apply wrote it. Contents are not kept, only their hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactRecord {
    pub sha256: String,
    pub mode: u32,
    pub step: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub node: Option<String>,
}

/// Why a state file could not be used.
#[derive(Debug)]
pub enum StateError {
    Read(std::io::Error),
    Parse(serde_json::Error),
    Version(u32),
    /// The body does not hash to the recorded checksum (or format 2 without one).
    Checksum,
    /// An artifact path that is not a normalised relative path inside the out dir.
    Path {
        path: String,
        problem: crate::outdir::BadPath,
    },
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateError::Read(e) => write!(f, "cannot read the state: {e}"),
            StateError::Parse(e) => write!(f, "the state is not valid kubeplan state JSON: {e}"),
            StateError::Version(v) => write!(
                f,
                "the state has format_version {v}; this kubeplan reads 1 to {FORMAT_VERSION}"
            ),
            StateError::Checksum => write!(
                f,
                "the state does not match its checksum: it was changed outside kubeplan or damaged"
            ),
            StateError::Path { path, problem } => write!(
                f,
                "the state records the artifact path {path:?}, which is not a path inside the out dir: {problem}; kubeplan touches no file for a state that names one"
            ),
        }
    }
}

impl std::error::Error for StateError {}

/// The copy of the previous state that `apply` keeps: `STATE.backup` beside it.
pub fn backup_path(state_path: &Path) -> PathBuf {
    let mut name = state_path.file_name().unwrap_or_default().to_os_string();
    name.push(".backup");
    state_path.with_file_name(name)
}

/// The file `path` names once the symbolic links at its end are followed (at most 40, as
/// Linux's own limit): a state kept on a shared mount through a link is read, written
/// and locked there, so its backup, its temporary files and its lock sit beside it and
/// not beside the link (which a rename would replace with a regular file, leaving the
/// shared state old and unlocked). Links in the folders above are followed by the
/// system as usual.
pub fn follow_links(path: &Path) -> PathBuf {
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::read_link(&path) {
            Ok(target) => path = crate::apply::parent(&path).join(target),
            Err(_) => break,
        }
    }
    path
}

/// Reads the state; `Ok(None)` when the file does not exist yet.
pub fn load(path: &Path) -> Result<Option<State>, StateError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StateError::Read(e)),
    };
    parse(&text).map(Some)
}

/// Parses state text and checks its version, its checksum and every artifact path.
/// The checksum notices damage and hand edits, not forgery (anyone can recompute it), and
/// format 1 has none: what keeps a crafted state from making kubeplan touch a file outside
/// the out dir is the path check, done here for every format before any caller sees the
/// state.
pub fn parse(text: &str) -> Result<State, StateError> {
    let mut state: State = serde_json::from_str(text).map_err(StateError::Parse)?;
    match state.format_version {
        1 => {}
        2..=FORMAT_VERSION => {
            let claimed = state.checksum.take();
            if claimed.as_deref() != Some(state.body_checksum().as_str()) {
                return Err(StateError::Checksum);
            }
            state.checksum = claimed;
        }
        v => return Err(StateError::Version(v)),
    }
    for path in state.artifacts.keys() {
        crate::outdir::check_path(path).map_err(|problem| StateError::Path {
            path: path.clone(),
            problem,
        })?;
    }
    Ok(state)
}

impl State {
    /// The state text as written to disk: pretty JSON in a fixed field order, maps sorted
    /// by key, ending in a newline, with the checksum of everything else as last field.
    pub fn to_json(&self) -> String {
        let mut sealed = State {
            format_version: FORMAT_VERSION,
            checksum: None,
            ..self.clone()
        };
        sealed.checksum = Some(sealed.body_checksum());
        let mut text = serde_json::to_string_pretty(&sealed).expect("state serializes");
        text.push('\n');
        text
    }

    /// SHA-256 of the state's text; called with `checksum` unset, so it is left out.
    fn body_checksum(&self) -> String {
        debug_assert!(self.checksum.is_none());
        let text = serde_json::to_string_pretty(self).expect("state serializes");
        crate::hash::sha256_hex(text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        let record = ArtifactRecord {
            sha256: "ab".repeat(32),
            mode: 0o755,
            step: "init".to_owned(),
            node: Some("cp-1".to_owned()),
        };
        State {
            format_version: FORMAT_VERSION,
            lineage: "8c1f0e4e-6a55-4d59-9a8e-0f3d2b7c1a90".to_owned(),
            cluster: Some("demo".to_owned()),
            serial: 3,
            spec_hash: "cd".repeat(32),
            artifacts: BTreeMap::from([("cp-1/bootstrap.sh".to_owned(), record)]),
            windows_support: Some(true),
            nodes: BTreeMap::new(),
            removed_nodes: BTreeMap::new(),
            checksum: None,
        }
    }

    #[test]
    fn a_written_state_reads_back_and_any_edit_breaks_its_checksum() {
        let text = state().to_json();
        let back = parse(&text).unwrap();
        assert_eq!(back.to_json(), text);
        let edited = text.replace("\"serial\": 3", "\"serial\": 4");
        assert_ne!(edited, text);
        assert!(matches!(parse(&edited), Err(StateError::Checksum)));
        let edited = text.replace("0755", "0").replace("493", "420");
        assert!(matches!(parse(&edited), Err(StateError::Checksum)));
    }

    #[test]
    fn a_state_without_checksum_is_refused_and_formats_1_to_3_are_read() {
        let unsealed = serde_json::to_string(&state()).unwrap();
        assert!(matches!(parse(&unsealed), Err(StateError::Checksum)));
        let v1 = unsealed.replace("\"format_version\":4", "\"format_version\":1");
        assert_eq!(parse(&v1).unwrap().serial, 3);
        let mut v2 = State {
            format_version: 2,
            ..state()
        };
        v2.checksum = Some(v2.body_checksum());
        let v2 = serde_json::to_string_pretty(&v2).unwrap();
        assert_eq!(parse(&v2).unwrap().serial, 3);
        let v2_unsealed = unsealed.replace("\"format_version\":4", "\"format_version\":2");
        assert!(matches!(parse(&v2_unsealed), Err(StateError::Checksum)));
        // Format 3 did not name the cluster: read, with no name (the next apply adopts it).
        let mut v3 = State {
            format_version: 3,
            cluster: None,
            ..state()
        };
        v3.checksum = Some(v3.body_checksum());
        let v3 = serde_json::to_string_pretty(&v3).unwrap();
        assert!(!v3.contains("\"cluster\""));
        assert_eq!(parse(&v3).unwrap().cluster, None);
        let v9 = unsealed.replace("\"format_version\":4", "\"format_version\":9");
        assert!(matches!(parse(&v9), Err(StateError::Version(9))));
    }

    #[test]
    fn a_state_with_a_path_outside_the_out_dir_is_refused_in_every_format() {
        for bad in [
            "/etc/passwd",
            "../outside/f",
            "cp-1/../../f",
            "a//b",
            "a\\b",
        ] {
            let mut forged = state();
            let record = forged.artifacts.remove("cp-1/bootstrap.sh").unwrap();
            forged.artifacts.insert(bad.to_owned(), record);
            // Sealed with a checksum recomputed by whoever forged it, and as format 1,
            // which has none: refused alike, naming the path.
            let sealed = forged.to_json();
            let v1 = serde_json::to_string(&State {
                format_version: 1,
                ..forged
            })
            .unwrap();
            for text in [sealed, v1] {
                match parse(&text) {
                    Err(e @ StateError::Path { .. }) => {
                        assert!(e.to_string().contains(&format!("{bad:?}")), "{e}")
                    }
                    other => panic!("{bad}: {other:?}"),
                }
            }
        }
    }
}
