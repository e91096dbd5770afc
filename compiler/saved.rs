//! Saved plans: `plan --save FILE` records what the plan was made from (the spec's hash,
//! the state's lineage and serial) and every change with its content hashes;
//! `apply --plan FILE` applies exactly that, or refuses when anything moved since.
//! A saved plan holds hashes, never contents, so it carries nothing secret.

use serde::{Deserialize, Serialize};

use crate::plan::{Change, Plan};
use crate::state::State;

/// The saved-plan format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A plan as `plan --save` writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedPlan {
    pub format_version: u32,
    /// SHA-256 over the spec's `*.hcl` files when the plan was made.
    pub spec_hash: String,
    /// The state the plan was made against; none for an empty state.
    pub state: Option<StateRef>,
    /// Every artifact, unchanged ones included, and every deletion.
    pub changes: Vec<Change>,
}

/// Which state, at which point of its history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateRef {
    pub lineage: String,
    pub serial: u64,
}

impl StateRef {
    pub fn of(state: Option<&State>) -> Option<StateRef> {
        state.map(|s| StateRef {
            lineage: s.lineage.clone(),
            serial: s.serial,
        })
    }
}

impl std::fmt::Display for StateRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "lineage {} serial {}", self.lineage, self.serial)
    }
}

/// Why a saved plan cannot be applied.
#[derive(Debug, PartialEq, Eq)]
pub enum Stale {
    /// Another state (another lineage), or the same one after another apply.
    State {
        saved: Option<StateRef>,
        now: Option<StateRef>,
    },
    /// The spec files changed.
    Spec,
    /// Same files, other output: variables or the kubeplan version differ.
    Artifact(String),
    /// A file in the out dir changed since the plan was made.
    OutDir(String),
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = |s: &Option<StateRef>| {
            s.as_ref()
                .map_or_else(|| "no state".to_owned(), ToString::to_string)
        };
        match self {
            Stale::State { saved, now } => write!(
                f,
                "the state changed since the plan was made: it was made against {}, the state is now {}",
                state(saved),
                state(now)
            ),
            Stale::Spec => write!(f, "the spec files changed since the plan was made"),
            Stale::Artifact(path) => write!(
                f,
                "{path} renders differently than when the plan was made: were other variables given (--var, --var-file, KUBEPLAN_VAR_*)?"
            ),
            Stale::OutDir(path) => {
                write!(f, "{path} in the out dir changed since the plan was made")
            }
        }
    }
}

impl SavedPlan {
    pub fn new(plan: &Plan, spec_hash: &str, state: Option<&State>) -> SavedPlan {
        SavedPlan {
            format_version: FORMAT_VERSION,
            spec_hash: spec_hash.to_owned(),
            state: StateRef::of(state),
            changes: plan.changes.clone(),
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("plan serializes");
        text.push('\n');
        text
    }

    /// Reads a saved plan, refusing another format version and any path that is not a
    /// normalised relative path inside the out dir.
    pub fn parse(text: &str) -> Result<SavedPlan, String> {
        let saved: SavedPlan =
            serde_json::from_str(text).map_err(|e| format!("not a kubeplan saved plan: {e}"))?;
        if saved.format_version != FORMAT_VERSION {
            return Err(format!(
                "saved plan format_version {} is not {FORMAT_VERSION}, the one this kubeplan reads",
                saved.format_version
            ));
        }
        for change in &saved.changes {
            crate::outdir::check_path(&change.path).map_err(|problem| {
                format!(
                    "the saved plan names the artifact path {:?}, which is not a path inside the out dir: {problem}",
                    change.path
                )
            })?;
        }
        Ok(saved)
    }

    /// Checks that `now` (the plan made again, under the lock, from the current spec,
    /// state and out dir) is exactly this one. The first difference found is returned.
    pub fn check(&self, now: &Plan, spec_hash: &str, state: Option<&State>) -> Result<(), Stale> {
        let now_state = StateRef::of(state);
        if self.state != now_state {
            return Err(Stale::State {
                saved: self.state.clone(),
                now: now_state,
            });
        }
        if self.spec_hash != spec_hash {
            return Err(Stale::Spec);
        }
        let saved: std::collections::BTreeMap<&str, &Change> =
            self.changes.iter().map(|c| (c.path.as_str(), c)).collect();
        let current: std::collections::BTreeMap<&str, &Change> =
            now.changes.iter().map(|c| (c.path.as_str(), c)).collect();
        if let Some(added) = current.keys().find(|p| !saved.contains_key(*p)) {
            return Err(Stale::Artifact((*added).to_owned()));
        }
        for (path, a) in &saved {
            let Some(b) = current.get(path) else {
                return Err(Stale::Artifact((*path).to_owned()));
            };
            if a.after_sha256 != b.after_sha256 || a.step != b.step || a.node != b.node {
                return Err(Stale::Artifact((*path).to_owned()));
            }
            if a.current_sha256 != b.current_sha256 || a.action != b.action || a.drift != b.drift {
                return Err(Stale::OutDir((*path).to_owned()));
            }
        }
        Ok(())
    }
}
