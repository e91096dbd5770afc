//! Machine output: the JSON documents `validate --json` and `plan --json` print.
//! `docs/json-output.md` describes them and `docs/kubeplan-output.schema.json` is their
//! schema; the shape only grows within a `format_version`.

use serde::Serialize;

use crate::diagnostic::{to_json, Diagnostic, JsonDiagnostic, SourceMap};
use crate::plan::{Action, Change, Plan};
use crate::saved::StateRef;
use crate::state::State;

/// The version of the JSON documents; bumped only for a change that is not an addition.
pub const FORMAT_VERSION: u32 = 1;

/// One JSON document: the diagnostics, and the result when the spec is valid.
#[derive(Serialize)]
pub struct Document<'a> {
    pub format_version: u32,
    /// `validate` or `plan`.
    pub command: &'static str,
    /// False when there is any error; then nothing below `diagnostics` is present.
    pub valid: bool,
    pub error_count: usize,
    pub warning_count: usize,
    pub diagnostics: Vec<JsonDiagnostic<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterSummary<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanPart<'a>>,
}

/// What the valid spec describes.
#[derive(Serialize)]
pub struct ClusterSummary<'a> {
    pub name: &'a str,
    pub nodes: usize,
    pub artifacts: usize,
    pub spec_hash: &'a str,
}

/// The plan: every artifact with its action, and the counts.
#[derive(Serialize)]
pub struct PlanPart<'a> {
    /// The state the plan compares with; null when there is none yet.
    pub state: Option<StateRef>,
    pub changes: &'a [Change],
    /// What the spec does to each node of the running cluster (docs/lifecycle.md).
    pub node_changes: Vec<crate::lifecycle::NodeChange>,
    pub summary: Summary,
}

/// How many artifacts each action touches, and how many drifted.
#[derive(Serialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub record: usize,
    pub unchanged: usize,
    pub drift: usize,
    /// True when an apply would change nothing.
    pub empty: bool,
}

impl<'a> Document<'a> {
    /// The diagnostics part, shared by both commands.
    pub fn new(command: &'static str, sources: &'a SourceMap, diags: &'a [Diagnostic]) -> Self {
        let errors = diags.iter().filter(|d| d.is_error()).count();
        Document {
            format_version: FORMAT_VERSION,
            command,
            valid: errors == 0,
            error_count: errors,
            warning_count: diags.len() - errors,
            diagnostics: to_json(sources, diags),
            cluster: None,
            plan: None,
        }
    }

    pub fn with_cluster(mut self, output: &'a crate::Output) -> Self {
        self.cluster = Some(ClusterSummary {
            name: output.cluster.name.as_str(),
            nodes: output.cluster.nodes.len(),
            artifacts: output.artifacts.len(),
            spec_hash: &output.spec_hash,
        });
        self
    }

    pub fn with_plan(
        mut self,
        plan: &'a Plan,
        state: Option<&State>,
        node_changes: Vec<crate::lifecycle::NodeChange>,
    ) -> Self {
        self.plan = Some(PlanPart {
            state: StateRef::of(state),
            changes: &plan.changes,
            node_changes,
            summary: Summary {
                create: plan.count(Action::Create),
                update: plan.count(Action::Update),
                delete: plan.count(Action::Delete),
                record: plan.count(Action::Record),
                unchanged: plan.count(Action::Unchanged),
                drift: plan.drifted().count(),
                empty: plan.is_empty(),
            },
        });
        self
    }

    /// Pretty JSON ending in a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("document serializes");
        text.push('\n');
        text
    }
}
