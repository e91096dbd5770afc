//! `kubeplan.state.json`: what the last apply wrote, so the next plan knows what changed.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The state format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The recorded result of the last apply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub format_version: u32,
    /// A random id given when the state is first written; it never changes afterwards.
    pub lineage: String,
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
}

/// What the state remembers about the cluster besides its artifacts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Memory {
    pub windows_support: bool,
    pub nodes: BTreeMap<String, NodeRecord>,
    pub removed_nodes: BTreeMap<String, NodeRecord>,
}

impl Memory {
    /// True when `state` already records exactly this.
    pub fn recorded_in(&self, state: &State) -> bool {
        state.windows_support == Some(self.windows_support)
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
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateError::Read(e) => write!(f, "cannot read the state: {e}"),
            StateError::Parse(e) => write!(f, "the state is not valid kubeplan state JSON: {e}"),
            StateError::Version(v) => write!(
                f,
                "the state has format_version {v}; this kubeplan reads {FORMAT_VERSION}"
            ),
        }
    }
}

impl std::error::Error for StateError {}

/// Reads the state; `Ok(None)` when the file does not exist yet.
pub fn load(path: &Path) -> Result<Option<State>, StateError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StateError::Read(e)),
    };
    let state: State = serde_json::from_str(&text).map_err(StateError::Parse)?;
    if state.format_version != FORMAT_VERSION {
        return Err(StateError::Version(state.format_version));
    }
    Ok(Some(state))
}

impl State {
    /// The state text as written to disk: pretty JSON, keys sorted, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("state serializes");
        text.push('\n');
        text
    }
}
