//! `kubeplan.state.json`: what the last apply wrote, so the next plan knows what changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The state format this build writes. It also reads format 1, which had no checksum,
/// format 2, which had no node inputs hashes, format 3, which did not name the cluster,
/// and format 4, which kept no facts of the live cluster (the next apply records them).
/// Every format's artifact paths are checked alike (see [`parse`]).
pub const FORMAT_VERSION: u32 = 5;

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
    /// What the live cluster was built with (format 5), which a later spec is judged
    /// against (`validate::live`). Absent in older states: nothing is judged until the
    /// next apply records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<ClusterFacts>,
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
    pub facts: ClusterFacts,
}

impl ClusterRecord {
    /// True when `state` already records exactly this.
    pub fn recorded_in(&self, state: &State) -> bool {
        state.cluster.as_deref() == Some(self.cluster.as_str())
            && state.windows_support == Some(self.windows_support)
            && state.nodes == self.nodes
            && state.removed_nodes == self.removed_nodes
            && state.facts.as_ref() == Some(&self.facts)
    }
}

/// What a running cluster was built with, as the spec of the last apply said it; the
/// values are written as the spec writes them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterFacts {
    /// `1.35.8`.
    pub kubernetes_version: String,
    /// `containerd` or `docker`.
    pub container_runtime: String,
    pub control_plane_endpoint: String,
    /// `flannel`, `calico`, `ovn`.
    pub network_plugin: String,
    /// `vxlan`, `host-gw`, `l3-upstream`.
    pub network_mode: String,
    pub cluster_cidr: String,
    pub service_cidr: String,
    pub node_cidr_mask: u8,
}

/// What a joined node runs, as the last apply planned it (format 5).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeFacts {
    pub kubernetes_version: String,
    /// `containerd` or `docker`.
    pub container_runtime: String,
    /// The distribution (`ubuntu-22.04`) or the Windows release (`ltsc2022`).
    pub os_release: String,
    pub interface: String,
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taints: Vec<String>,
    /// The version of each component the node's scripts download (the matrix's, or the
    /// spec's pin): `containerd`, `flannel`, `cni_plugins`, … Linux nodes take their
    /// runtime from the distribution and the network's images from the manifests the
    /// first control-plane node applies: those are listed for that node only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub components: BTreeMap<String, String>,
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
    /// What the node runs (format 5); absent in older states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<NodeFacts>,
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
            let holds = claimed.as_deref().is_some_and(|c| {
                written_body_checksum(text, c).as_deref() == Some(c) || state.body_checksum() == c
            });
            if !holds {
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

/// The checksum of a state's text as `to_json` wrote it, `checksum` its last field: the
/// text without that field is what the checksum was taken over, so it is hashed as it
/// is, without serializing the parsed state again (a state of 5,000 nodes is 8 MB).
/// `None` when the text does not end as `to_json` ends it; `parse` then serializes.
fn written_body_checksum(text: &str, checksum: &str) -> Option<String> {
    use std::io::Write;
    let body = text.strip_suffix(&format!(",\n  \"checksum\": \"{checksum}\"\n}}\n"))?;
    let mut hasher = crate::hash::Writer::default();
    hasher.write_all(body.as_bytes()).ok()?;
    hasher.write_all(b"\n}").ok()?;
    Some(hasher.finish_hex().0)
}

impl State {
    /// The state text as written to disk: pretty JSON in a fixed field order, maps sorted
    /// by key, ending in a newline, with the checksum of everything else as last field.
    pub fn to_json(&self) -> String {
        self.clone().into_json()
    }

    /// [`State::to_json`] without a copy of the state, which at 5,000 nodes is tens of
    /// megabytes.
    pub fn into_json(self) -> String {
        let mut sealed = State {
            format_version: FORMAT_VERSION,
            checksum: None,
            ..self
        };
        let (checksum, body_len) = sealed.body_checksum_and_len();
        sealed.checksum = Some(checksum);
        // Sized once: a state of 5,000 nodes is several megabytes, and a growing buffer
        // would double past it.
        let mut text = Vec::with_capacity(body_len + 128);
        serde_json::to_writer_pretty(&mut text, &sealed).expect("state serializes");
        text.push(b'\n');
        String::from_utf8(text).expect("serde_json writes UTF-8")
    }

    /// SHA-256 of the state's text; called with `checksum` unset, so it is left out.
    fn body_checksum(&self) -> String {
        self.body_checksum_and_len().0
    }

    /// [`State::body_checksum`] and the length of the text it hashed, which is hashed as
    /// it is written and never held whole.
    fn body_checksum_and_len(&self) -> (String, usize) {
        debug_assert!(self.checksum.is_none());
        let mut hasher = crate::hash::Writer::default();
        serde_json::to_writer_pretty(&mut hasher, self).expect("state serializes");
        hasher.finish_hex()
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
            facts: None,
            checksum: None,
        }
    }

    #[test]
    fn a_written_state_reads_back_and_any_edit_breaks_its_checksum() {
        // The checksum of every state written so far: SHA-256 of its pretty text.
        let pretty = serde_json::to_string_pretty(&state()).unwrap();
        assert_eq!(
            state().body_checksum(),
            crate::hash::sha256_hex(pretty.as_bytes())
        );
        let text = state().to_json();
        // The text as written hashes to its checksum without serializing it again.
        let sealed = parse(&text).unwrap().checksum.unwrap();
        assert_eq!(written_body_checksum(&text, &sealed), Some(sealed.clone()));
        assert_eq!(sealed, state().body_checksum());
        let back = parse(&text).unwrap();
        assert_eq!(back.to_json(), text);
        let edited = text.replace("\"serial\": 3", "\"serial\": 4");
        assert_ne!(edited, text);
        assert!(matches!(parse(&edited), Err(StateError::Checksum)));
        let edited = text.replace("0755", "0").replace("493", "420");
        assert!(matches!(parse(&edited), Err(StateError::Checksum)));
    }

    #[test]
    fn a_state_without_checksum_is_refused_and_formats_1_to_4_are_read() {
        let unsealed = serde_json::to_string(&state()).unwrap();
        assert!(matches!(parse(&unsealed), Err(StateError::Checksum)));
        let v1 = unsealed.replace("\"format_version\":5", "\"format_version\":1");
        assert_eq!(parse(&v1).unwrap().serial, 3);
        let mut v2 = State {
            format_version: 2,
            ..state()
        };
        v2.checksum = Some(v2.body_checksum());
        let v2 = serde_json::to_string_pretty(&v2).unwrap();
        assert_eq!(parse(&v2).unwrap().serial, 3);
        let v2_unsealed = unsealed.replace("\"format_version\":5", "\"format_version\":2");
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
        // Format 4 kept no facts of the live cluster: read, with none.
        let mut v4 = State {
            format_version: 4,
            ..state()
        };
        v4.checksum = Some(v4.body_checksum());
        let v4 = serde_json::to_string_pretty(&v4).unwrap();
        assert!(!v4.contains("\"facts\""));
        assert_eq!(parse(&v4).unwrap().facts, None);
        let v9 = unsealed.replace("\"format_version\":5", "\"format_version\":9");
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
