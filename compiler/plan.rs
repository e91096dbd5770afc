//! `plan::diff`: what an apply would change, artifact by artifact, against the state and
//! the files in the out dir.

use std::collections::BTreeSet;

use serde::Serialize;
use similar::TextDiff;

use crate::hash::sha256_hex;
use crate::render::Artifact;
use crate::state::State;

/// What happens to one artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
    Unchanged,
}

impl Action {
    fn symbol(self) -> char {
        match self {
            Action::Create => '+',
            Action::Update => '~',
            Action::Delete => '-',
            Action::Unchanged => '=',
        }
    }
}

/// The change to one artifact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub path: String,
    pub action: Action,
    pub step: String,
    pub node: Option<String>,
    pub before_sha256: Option<String>,
    pub after_sha256: Option<String>,
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
        let n = |a| self.changes.iter().filter(|c| c.action == a).count();
        (n(Action::Create), n(Action::Update), n(Action::Delete))
    }

    /// True when applying would change nothing.
    pub fn is_empty(&self) -> bool {
        self.counts() == (0, 0, 0)
    }
}

/// Compares the rendered artifacts with the state and the out dir. `read_current` gives
/// the file now in the out dir at a path, if any: a file that differs from the state
/// (edited or deleted by hand) is planned as an update, so apply restores it.
pub fn diff(
    artifacts: &[Artifact],
    state: Option<&State>,
    read_current: impl Fn(&str) -> Option<String>,
) -> Plan {
    let mut changes = Vec::with_capacity(artifacts.len());
    for a in artifacts {
        let after = sha256_hex(a.content.as_bytes());
        let recorded = state.and_then(|s| s.artifacts.get(&a.path));
        let current = read_current(&a.path);
        let current_hash = current.as_deref().map(|c| sha256_hex(c.as_bytes()));
        let action = match (recorded, &current_hash) {
            (None, _) => Action::Create,
            (Some(r), Some(disk)) if r.sha256 == after && *disk == after && r.mode == a.mode => {
                Action::Unchanged
            }
            (Some(_), _) => Action::Update,
        };
        let diff = match (action, &current) {
            (Action::Update, Some(old)) => Some(unified(&a.path, old, &a.content)),
            (Action::Update, None) => Some(unified(&a.path, "", &a.content)),
            _ => None,
        };
        changes.push(Change {
            path: a.path.clone(),
            action,
            step: a.step.clone(),
            node: a.node.clone(),
            before_sha256: recorded.map(|r| r.sha256.clone()),
            after_sha256: Some(after),
            diff,
        });
    }
    if let Some(state) = state {
        let rendered: BTreeSet<&str> = artifacts.iter().map(|a| a.path.as_str()).collect();
        for (path, r) in state
            .artifacts
            .iter()
            .filter(|(p, _)| !rendered.contains(p.as_str()))
        {
            changes.push(Change {
                path: path.clone(),
                action: Action::Delete,
                step: r.step.clone(),
                node: r.node.clone(),
                before_sha256: Some(r.sha256.clone()),
                after_sha256: None,
                diff: None,
            });
        }
    }
    Plan { changes }
}

fn unified(path: &str, old: &str, new: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// The plan as people read it: one line per artifact, diffs under updates, and the summary.
pub fn render_human(plan: &Plan) -> String {
    let mut out = String::new();
    if !plan.is_empty() {
        out.push_str("kubeplan will perform the following actions:\n\n");
    }
    for c in &plan.changes {
        let word = match c.action {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Unchanged => "unchanged",
        };
        out.push_str(&format!(
            "  {} {} ({word}, step {})\n",
            c.action.symbol(),
            c.path,
            c.step
        ));
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
    } else {
        out.push_str(&format!(
            "\nPlan: {create} to create, {update} to update, {delete} to delete.\n"
        ));
    }
    out
}
